import type { Graph, NodeId, TensorType } from '@spikeflow/core';
import { sizeOf } from '@spikeflow/core';
import { bindingIndex, declareBindings, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, STEP_UNIFORM, u, upTo, vec4Index, vec4Viewable, wgslStorageType, type BufferBinding, type KernelSource } from './kernel-source.js';
import { valueFunctions } from './value-functions.js';
import { withFastDivision } from './fast-division.js';

const WORKGROUP = 256;
/**
 * Consecutive elements per thread: four, stored as one vec4 where the output allows, ran y = 2x
 * about twice as fast as one element per thread on lavapipe (BENCHMARKS.md, "Kernel tuning notes").
 */
const LANES = 4;

/**
 * One kernel computing a fused elementwise group into the buffer of its root node. Each thread
 * computes LANES consecutive elements through the group's scalar value functions (so broadcasts,
 * index rules and random draws need nothing new) and stores them as one vec4 when the output's
 * innermost extent and scan step offset are multiples of 4, else element by element with the tail guarded.
 * The element count comes from the size table: a group whose inputs all have the output's shape
 * reads and writes at `i` with no index arithmetic at all, whatever the sizes. `overwrites`: a load
 * whose buffer is the output's (see elementwiseInPlaceLoad), read through the output binding.
 */
export function elementwiseKernel(
  graph: Graph,
  root: NodeId,
  members: readonly NodeId[],
  loads: readonly NodeId[],
  stepStrides: ReadonlyMap<NodeId, number> = new Map(),
  packed: ReadonlySet<NodeId> = new Set(),
  overwrites?: NodeId,
): KernelSource {
  const node = graph.nodes[root]!;
  const type = node.type as TensorType;
  const sizes = new KernelSizes();
  const n = sizeOf(type.shape);
  const scalarOut: BufferBinding = sizes.stepped({ name: 'out', access: 'read_write', type, stepStride: stepStrides.get(root) ?? 0 });
  // Decided by the innermost extent, not the element count: [B, 10] scores then take one path at
  // every batch size B, so another batch size reuses the pipeline.
  const vectorised = vec4Viewable(scalarOut, type.shape[type.shape.length - 1] ?? 1);
  const out: BufferBinding = vectorised ? { ...scalarOut, vec4: true } : scalarOut;
  // A load written over in place (elementwiseInPlaceLoad) is read through `out`: a thread reads its
  // own elements before it stores them.
  const readOut = (index: string) => (vectorised ? `out[${vec4Index(out, `(${index}) / 4u`)}][(${index}) % 4u]` : `out[${bindingIndex(out, index)}]`);
  const fns = valueFunctions(graph, members, loads, stepStrides, packed, sizes, overwrites === undefined ? undefined : { load: overwrites, read: readOut });
  const threads = Math.ceil(n / LANES);
  // The vec4 path stores whole vec4s (n is a multiple of 4): only the scalar path guards each element.
  const threadBound = sizes.of(threads);
  const elementBound = vectorised ? '' : sizes.of(n);
  const bindings = sizes.bind([...fns.bindings, out]);
  const usesStep = bindings.some((b) => b.stepStride !== 0);
  const value = (index: string) => {
    const v = `${fns.names.get(root)!}(${index})`;
    return type.dtype === 'bool' ? `select(0u, 1u, ${v})` : v;
  };
  // The vec4 is built from its four lanes written out: a loop storing lanes[x] ran y = 2x at
  // 2.84 GB/s against 3.10 (medians, one process; bench/kernel-tuning-notes.md).
  const store = vectorised
    ? [`out[${vec4Index(out, 't')}] = vec4<${wgslStorageType(type.dtype)}>(${upTo(LANES).map((x) => value(x === 0 ? 'i' : `i + ${u(x)}`)).join(', ')});`]
    : [`for (var x = 0u; x < ${u(LANES)}; x++) {`, `  if (i + x >= ${elementBound}) { return; }`, `  out[${bindingIndex(out, 'i + x')}] = ${value('i + x')};`, '}'];
  const code = [
    declareBindings(bindings),
    usesStep ? STEP_UNIFORM : '',
    fns.code,
    `@compute @workgroup_size(${WORKGROUP})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {',
    `  let t = ${FLAT_WORKGROUP_INDEX} * ${u(WORKGROUP)} + lid;`,
    `  if (t >= ${threadBound}) { return; }`,
    `  let i = t * ${u(LANES)};`,
    ...store.map((l) => `  ${l}`),
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
  return { label: node.name, kind: 'elementwise', code: withFastDivision(code), bindings, workgroups: dispatch2d(Math.ceil(threads / WORKGROUP)), usesStep, sizes: sizes.values };
}
