import { eliminateDeadNodes } from '../analysis.js';
import { isOp, type Graph, type Node, type NodeId, type PrimitiveAttrs } from '../graph.js';
import { toArray } from '../host-tensor.js';
import { evaluate } from '../interpreter/evaluate.js';
import { GraphBuilder, trace, type Tensor } from '../trace/builder.js';
import { copyInterface, finishLike, replayAsIs, replayedTensor, replayGraph, type ReplayedValue } from '../transform.js';
import { isTupleType, sizeOf, type TensorType } from '../types.js';
import { constantFill, matmulOfTransposed, neutralOperand } from './algebraic-identities.js';

/** Largest constant (in elements) that folding may produce; bigger results stay computed. */
const FOLD_LIMIT = 4096;

type Value = ReplayedValue;
const tensorOf = replayedTensor;

/** Folds a node whose inputs are all constants by running it on the CPU reference interpreter. */
function fold(b: GraphBuilder, node: Node, inputs: readonly Tensor[], constants: ReadonlyMap<Tensor, PrimitiveAttrs['constant']>): Tensor | undefined {
  if (isTupleType(node.type) || sizeOf(node.type.shape) > FOLD_LIMIT || node.op === 'scan') return undefined;
  const attrs = inputs.map((t) => constants.get(t));
  if (attrs.some((a) => a === undefined)) return undefined;
  const g = trace((tb) => ({ y: tb.op(node.op, attrs.map((a) => tb.constant(a!.value, a!.shape, a!.dtype)), node.attrs) }));
  const out = evaluate(g).outputs.y!;
  const values = toArray(out);
  const type = node.type as TensorType;
  const fill = values.every((v) => Object.is(v, values[0]));
  return b.constant(fill && values.length > 0 ? values[0]! : values, type.shape, type.dtype);
}

/**
 * The compiler's first pass: inlines customVjp forwards (the backward only matters to autodiff),
 * folds constant subgraphs, drops neutral operations (x·1, x+0, ...) and transposes a matmul can
 * read in place (algebraic-identities.ts), merges identical nodes (CSE by op, attrs and inputs; random ops are
 * pure functions of seed and counter, so they merge too) and drops dead nodes.
 */
export function simplify(graph: Graph): Graph {
  const b = new GraphBuilder();
  const leaves = copyInterface(b, graph);
  const values = rebuild(b, graph, (n) => leaves.get(n.id)!);
  return eliminateDeadNodes(finishLike(b, graph, (id) => tensorOf(values.get(id)!), leaves));
}

function rebuild(b: GraphBuilder, graph: Graph, leaf: (n: Node) => Tensor): Map<NodeId, Value> {
  // One CSE table per rebuilt graph; it holds the replayed value (tuples as their elements).
  const seen = new Map<string, Value>();
  const constants = new Map<Tensor, PrimitiveAttrs['constant']>();
  const fills = new Map<Tensor, number>();
  const fillOf = (t: Tensor) => fills.get(t);
  const override = (node: Node, ins: readonly Value[]): Value => {
    if (isOp(node, 'customVjp')) {
      const a = node.attrs;
      const position = new Map(a.forward.inputs.map((fid, k) => [fid, k]));
      const inner = rebuild(b, a.forward, (n) => tensorOf(ins[position.get(n.id)!]!));
      return a.forward.outputs.slice(0, a.numOutputs).map((o) => tensorOf(inner.get(o.node)!));
    }
    if (node.op === 'stopGradient') return tensorOf(ins[0]!);
    const inputs = ins.map(tensorOf);
    const key = `${node.op}|${JSON.stringify(node.attrs)}|${inputs.map((t) => t.id).join(',')}`;
    const hit = seen.get(key);
    if (hit !== undefined) return hit;
    const neutral = neutralOperand(node, inputs, fillOf) ?? matmulOfTransposed(node, inputs);
    if (neutral !== undefined) {
      seen.set(key, neutral);
      return neutral;
    }
    const folded = fold(b, node, inputs, constants);
    const value = folded ?? replayAsIs(b, node, ins);
    if (folded !== undefined || node.op === 'constant') constants.set(tensorOf(value), constantAttrs(tensorOf(value)));
    if (!isTupleType(node.type)) {
      const result = tensorOf(value);
      const fill = constantFill(result.builder.nodeOf(result.id), inputs.map(fillOf));
      if (fill !== undefined) fills.set(result, fill);
    }
    seen.set(key, value);
    return value;
  };
  return replayGraph(b, graph, leaf, { override });
}

function constantAttrs(t: Tensor): PrimitiveAttrs['constant'] {
  const node = t.builder.nodeOf(t.id);
  if (!isOp(node, 'constant')) throw new Error(`internal: '${node.name}' is a ${node.op}, not a constant`);
  return node.attrs;
}
