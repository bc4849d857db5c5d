import type { Graph, NodeId, TensorType } from '@spikeflow/core';
import { sizeOf } from '@spikeflow/core';
import { bindingIndex, declareBindings, dispatch2d, FLAT_WORKGROUP_INDEX, STEP_UNIFORM, type BufferBinding, type KernelSource } from './kernel-source.js';
import { valueFunctions } from './value-functions.js';

const WORKGROUP = 256;

/** One kernel computing a fused elementwise group into the buffer of its root node. */
export function elementwiseKernel(
  graph: Graph,
  root: NodeId,
  members: readonly NodeId[],
  loads: readonly NodeId[],
  stepStrides: ReadonlyMap<NodeId, number> = new Map(),
  packed: ReadonlySet<NodeId> = new Set(),
): KernelSource {
  const node = graph.nodes[root]!;
  const type = node.type as TensorType;
  const fns = valueFunctions(graph, members, loads, stepStrides, packed);
  const out: BufferBinding = { name: 'out', access: 'read_write', type, stepStride: stepStrides.get(root) ?? 0 };
  const bindings = [...fns.bindings, out];
  const usesStep = bindings.some((b) => b.stepStride !== 0);
  const n = sizeOf(type.shape);
  const value = `${fns.names.get(root)!}(i)`;
  const code = [
    declareBindings(bindings),
    usesStep ? STEP_UNIFORM : '',
    fns.code,
    `@compute @workgroup_size(${WORKGROUP})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {',
    `  let i = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `  if (i >= ${n}u) { return; }`,
    `  out[${bindingIndex(out, 'i')}] = ${type.dtype === 'bool' ? `select(0u, 1u, ${value})` : value};`,
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
  return { label: node.name, kind: 'elementwise', code, bindings, workgroups: dispatch2d(Math.ceil(n / WORKGROUP)), usesStep };
}
