import { eliminateDeadNodes, roots } from '../analysis.js';
import type { AnyNode, Graph, Node, NodeId } from '../graph.js';
import { GraphBuilder } from '../trace/builder.js';
import type { TensorType } from '../types.js';
import { bytesOf, dependsOn, freshIds, isResident, nodeRecord, readersOf, rowsPerStep, tensorType, throughReshapes } from './graph-records.js';
import { finishBody, redeclareInput, replayBody, unusedInputName, unusedOutputName } from './scan-body.js';
import { isStepBlockOutput } from './segment-scans.js';

/**
 * A contraction over rows, `aᵀ · y` (a weight gradient: xᵀ·dH), where y is the stacked per-step
 * output of a segment scan, becomes a carry of that scan: each segment adds the product of its
 * rows, so y is never stored whole. The sum runs over the rows of each segment (as the one matmul
 * ran over all rows), then over the segments in the scan's processing order: the same terms in
 * another order, so float32 results differ from the one matmul's by rounding only, within
 * 2(R−1)·u·Σ_r |a_r|·|y_r| per element for R rows (u = 2⁻²⁴; both orders are within half that of the
 * exact sum).
 */

interface Contraction {
  readonly matmul: Node<'matmul'>;
  readonly scan: Node<'scan'>;
  /** The tuple index of the stacked output, and which matmul operand reads it. */
  readonly index: number;
  readonly side: 0 | 1;
  readonly rows: number;
}

/** `graph` with one contraction over a segment scan's output accumulated in the scan, or undefined when none fits. */
export function accumulateOneContraction(graph: Graph): Graph | undefined {
  const readers = readersOf(graph);
  for (const node of Object.values(graph.nodes)) {
    const found = node.op === 'matmul' ? contractionOverScanOutput(graph, node, readers) : undefined;
    if (found !== undefined) return accumulate(graph, found);
  }
  return undefined;
}

function contractionOverScanOutput(graph: Graph, matmul: Node<'matmul'>, readers: ReadonlyMap<NodeId, AnyNode[]>): Contraction | undefined {
  if (!matmul.attrs.transposeA || matmul.attrs.transposeB || tensorType(matmul).dtype !== 'f32') return undefined;
  if (matmul.inputs.some((i) => tensorType(graph.nodes[i]!).shape.length !== 2)) return undefined;
  const kept = new Set(roots(graph));
  for (const side of [0, 1] as const) {
    // The operand must be the stacked output seen through reshapes that nothing else reads.
    let id = matmul.inputs[side]!;
    let reader: NodeId = matmul.id;
    const soleReader = () => !kept.has(id) && (readers.get(id) ?? []).every((r) => r.id === reader);
    while (graph.nodes[id]!.op === 'reshape' && soleReader()) [reader, id] = [id, graph.nodes[id]!.inputs[0]!];
    const stacked = graph.nodes[id]!;
    if (stacked.op !== 'tupleGet' || !soleReader()) continue;
    const scan = graph.nodes[stacked.inputs[0]!]!;
    const index = stacked.attrs.index;
    if (scan.op !== 'scan' || index < scan.attrs.numCarries || !isStepBlockOutput(scan, index)) continue;
    if ((readers.get(scan.id) ?? []).some((r) => r.id !== stacked.id && r.op === 'tupleGet' && r.attrs.index === index)) continue;
    const other = graph.nodes[matmul.inputs[1 - side]!]!;
    // The scan then reads `other` as a sequence: it must not come from the scan, and should be resident or no larger.
    if (dependsOn(graph, other.id, scan.id) || !(isResident(throughReshapes(graph, other.id)) || bytesOf(other) <= bytesOf(stacked))) continue;
    const rows = rowsPerStep(tensorType(stacked).shape.slice(1), tensorType(graph.nodes[matmul.inputs[side]!]!).shape[1]!);
    if (rows !== undefined) return { matmul, scan, index, side, rows };
  }
  return undefined;
}

/**
 * The scan gains a carry (the sum so far, from zeros) and a sequence (the other operand's rows
 * per step), and loses the stacked output; the matmul becomes a read of the final carry.
 */
function accumulate(graph: Graph, { matmul, scan, index, side, rows }: Contraction): Graph {
  const { numCarries: nc, numSequences: ns, body, length } = scan.attrs;
  const nodes: Record<NodeId, AnyNode> = { ...graph.nodes };
  const newId = freshIds(nodes);
  const otherId = matmul.inputs[1 - side]!;
  const other = tensorType(graph.nodes[otherId]!);
  const sum = tensorType(matmul);
  const zeros = newId();
  nodes[zeros] = nodeRecord(nodes, zeros, 'constant', [], { shape: sum.shape, dtype: sum.dtype, value: 0 }, `${scan.name}/accumulated/zeros`);
  const sequence = newId();
  nodes[sequence] = nodeRecord(nodes, sequence, 'reshape', [throughReshapes(graph, otherId).id], { shape: [length, rows, other.shape[1]!] }, `${scan.name}/accumulated/rows`);

  const sub = new GraphBuilder();
  const carries = body.inputs.slice(0, nc).map((_, i) => redeclareInput(sub, body, i));
  const acc = sub.input(unusedInputName(body, 'accumulated'), sum.shape, sum.dtype);
  const sequences = body.inputs.slice(nc, nc + ns).map((_, i) => redeclareInput(sub, body, nc + i));
  const otherRows = sub.input(unusedInputName(body, 'rows'), [rows, other.shape[1]!], other.dtype);
  const consts = body.inputs.slice(nc + ns).map((_, i) => redeclareInput(sub, body, nc + ns + i));
  const ins = [...carries, ...sequences, ...consts];
  const value = replayBody(sub, body, (i) => ins[i]!);
  const stackedRows = value(body.outputs[index]!.node).reshape([rows, tensorType(graph.nodes[matmul.inputs[side]!]!).shape[1]!]);
  const partial = sub.op('matmul', side === 0 ? [stackedRows, otherRows] : [otherRows, stackedRows], matmul.attrs, `${scan.name}/body/accumulated/${matmul.name.split('/').pop()!}`);
  const outputs = body.outputs.map((o) => ({ name: o.name, value: value(o.node) }));
  const newBody = finishBody(sub, [...outputs.slice(0, nc), { name: unusedOutputName(body, 'accumulated'), value: acc.add(partial) }, ...outputs.slice(nc).filter((_, j) => nc + j !== index)]);

  const tuple = (scan.type as { tuple: readonly TensorType[] }).tuple;
  nodes[scan.id] = {
    ...scan,
    inputs: [...scan.inputs.slice(0, nc), zeros, ...scan.inputs.slice(nc, nc + ns), sequence, ...scan.inputs.slice(nc + ns)],
    type: { tuple: [...tuple.slice(0, nc), sum, ...tuple.slice(nc).filter((_, j) => nc + j !== index)] },
    attrs: { ...scan.attrs, numCarries: nc + 1, numSequences: ns + 1, body: newBody },
  };
  // Tuple reads after the carries move one on for the new carry, and back one past the dropped output.
  for (const n of Object.values(graph.nodes)) {
    if (n.op !== 'tupleGet' || n.inputs[0] !== scan.id || n.attrs.index < nc || n.attrs.index === index) continue;
    nodes[n.id] = { ...n, attrs: { index: n.attrs.index + (n.attrs.index > index ? 0 : 1) } };
  }
  nodes[matmul.id] = { id: matmul.id, op: 'tupleGet', inputs: [scan.id], attrs: { index: nc }, type: sum, name: matmul.name };
  return eliminateDeadNodes({ ...graph, nodes });
}
