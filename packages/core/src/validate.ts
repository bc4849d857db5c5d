import { assertAcyclic } from './analysis.js';
import { fail } from './errors.js';
import { isLeaf, leafName, type AnyNode, type Graph, type Node, type NodeId, type Primitive, type PrimitiveAttrs } from './graph.js';
import { expectTensorSize } from './limits.js';
import type { LeafOp } from './primitives.js';
import { expectUnreservedName } from './reserved-names.js';
import { inferRules } from './rules/index.js';
import type { InferRule } from './rules/rule-types.js';
import { formatType, isTupleType, sameType, type ValueType } from './types.js';

export function isPrimitive(op: unknown): op is Primitive {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(inferRules, op);
}

/** Infers a node's output type from its input types and attrs, with the node's scope path in errors. */
export function inferNodeType(op: Primitive, inputs: readonly ValueType[], attrs: PrimitiveAttrs[Primitive], where: string): ValueType {
  if (op !== 'tupleGet') {
    const tupleAt = inputs.findIndex(isTupleType);
    if (tupleAt >= 0) fail('dtype', where, `input ${tupleAt} of ${op} is a tuple; read one element with tupleGet`, 'a tensor', formatType(inputs[tupleAt]!));
  }
  const rule = inferRules[op] as InferRule<Primitive>;
  const type = rule(inputs as never, attrs as never, where);
  expectTensorSize(type, where);
  return type;
}

/** Graphs nested in attrs (scan bodies, customVjp halves, custom surrogates), validated with their parent. */
export function nestedGraphs(node: AnyNode): Graph[] {
  switch (node.op) {
    case 'scan':
      return [node.attrs.body];
    case 'customVjp':
      return [node.attrs.forward, node.attrs.backward];
    case 'spike':
      return node.attrs.surrogate.kind === 'custom' ? [node.attrs.surrogate.derivative] : [];
    default:
      return [];
  }
}

/**
 * The node `id` names, if it is one of the graph's own nodes. A reserved id is rejected at
 * `field` first: `graph.nodes[id]` would read the prototype instead.
 */
function lookup(graph: Graph, id: NodeId, field: string): AnyNode | undefined {
  expectUnreservedName(id, field);
  return Object.hasOwn(graph.nodes, id) ? graph.nodes[id] : undefined;
}

function expectLeaf(graph: Graph, id: string, op: LeafOp, field: string): Node {
  const node = lookup(graph, id, field);
  if (node === undefined) fail('missing-node', field, `refers to node '${id}', which is not in the graph`);
  if (node.op !== op) fail('interface', field, `refers to node '${node.name}', which is not ${op === 'input' ? 'an' : 'a'} ${op} leaf`, op, node.op);
  return node;
}

function expectUniqueNames(names: readonly string[], field: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) fail('interface', field, `the name '${n}' is used twice`, 'unique names', n);
    seen.add(n);
  }
}

/**
 * Checks everything a backend relies on: ids match keys, inputs exist, no cycle outside scan,
 * the interface names the right leaves, every stored type equals the type its rule infers,
 * and nested graphs are valid too. Throws a SpikeflowError naming the node or field.
 */
export function validateGraph(graph: Graph, where = 'graph'): void {
  for (const [id, node] of Object.entries(graph.nodes)) {
    expectUnreservedName(id, `${where}.nodes.${id}`);
    if (node.id !== id) fail('interface', `${where}.nodes.${id}`, 'node id differs from its key', id, node.id);
    if (!isPrimitive(node.op)) fail('unknown-op', node.name, `unknown op '${String(node.op)}'`, 'a spikeflow primitive', String(node.op));
    node.inputs.forEach((input, j) => {
      if (lookup(graph, input, `${where}.nodes.${id}.inputs[${j}]`) === undefined) fail('missing-node', node.name, `input '${input}' is not in the graph`);
    });
    if (isLeaf(node)) expectUnreservedName(leafName(node), `${where}.nodes.${id}.attrs.name`);
  }
  assertAcyclic(graph);
  const inputs = graph.inputs.map((id, i) => expectLeaf(graph, id, 'input', `${where}.inputs[${i}]`));
  const params = graph.params.map((id, i) => expectLeaf(graph, id, 'param', `${where}.params[${i}]`));
  const states = graph.state.map((s, i) => {
    const leaf = expectLeaf(graph, s.node, 'state', `${where}.state[${i}].node`);
    const update = lookup(graph, s.update, `${where}.state[${i}].update`);
    if (update === undefined) fail('missing-node', `${where}.state[${i}].update`, `refers to node '${s.update}', which is not in the graph`);
    if (!sameType(leaf.type, update.type)) {
      fail('interface', leaf.name, 'the state update has a different type from the state', formatType(leaf.type), formatType(update.type));
    }
    return leaf;
  });
  expectUniqueNames(inputs.map(leafName), `${where}.inputs`);
  expectUniqueNames(params.map(leafName), `${where}.params`);
  expectUniqueNames(states.map(leafName), `${where}.state`);
  expectUniqueNames(graph.outputs.map((o) => o.name), `${where}.outputs`);
  const listed = new Set([...graph.inputs, ...graph.params, ...graph.state.map((s) => s.node)]);
  for (const [i, o] of graph.outputs.entries()) {
    expectUnreservedName(o.name, `${where}.outputs[${i}].name`);
    const node = lookup(graph, o.node, `${where}.outputs[${i}].node`);
    if (node === undefined) fail('missing-node', `${where}.outputs[${i}]`, `output '${o.name}' refers to node '${o.node}', which is not in the graph`);
    if (isTupleType(node.type)) fail('interface', `${where}.outputs[${i}]`, `output '${o.name}' is a tuple; read one element with tupleGet`);
  }
  for (const node of Object.values(graph.nodes)) {
    if (isLeaf(node) && !listed.has(node.id)) {
      fail('interface', node.name, `a ${node.op} leaf that the graph's interface does not list`);
    }
    nestedGraphs(node).forEach((g, i) => validateGraph(g, `${node.name}#graph${i}`));
    const inferred = inferNodeType(
      node.op,
      node.inputs.map((id) => graph.nodes[id]!.type),
      node.attrs,
      node.name,
    );
    if (!sameType(inferred, node.type)) fail('shape', node.name, `stored type of ${node.op} disagrees with its inputs`, formatType(inferred), formatType(node.type));
  }
}
