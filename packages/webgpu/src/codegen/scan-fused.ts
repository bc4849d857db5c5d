import { elementwiseScanShape, sizeOf, topologicalOrder, type Node, type Shape, type TensorType } from '@spikeflow/core';
import { broadcastIndex } from './indexing.js';
import { declareBindings, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, wgslLiteral, wgslValueType, type BufferBinding, type KernelSource } from './kernel-source.js';
import { mapExpr, wgslRules } from './wgsl-rules.js';
import { withFastDivision } from './fast-division.js';

const WORKGROUP = 64;

/**
 * The element shape every value of an elementwise scan body broadcasts to (the carries'), or
 * undefined when the body cannot run as one thread-per-element loop (core's `elementwiseScanShape`
 * with the WGSL rules' `map` kind).
 */
export function fusedScanShape(node: Node<'scan'>, inputTypes: readonly TensorType[]): Shape | undefined {
  return elementwiseScanShape(node, inputTypes, (op) => wgslRules[op].kind === 'map');
}

export interface FusedScanBindings {
  /** Per scan input (carries, sequences, consts), its read binding. */
  readonly inputs: readonly BufferBinding[];
  /**
   * Per tuple element (final carries, then stacked outputs), its write binding, or undefined when
   * unused. A stacked output may be a read_write sequence input's binding: each thread reads
   * element (t, i) of it before writing element (t, i), so it overwrites the sequence in place.
   */
  readonly outputs: readonly (BufferBinding | undefined)[];
}

/**
 * One kernel for a whole scan whose body is elementwise: each thread owns one element (a neuron),
 * keeps its carries in registers and loops over t, in either direction. This is what makes
 * multi-step neurons fast: T steps cost one dispatch and no intermediate buffers. The element
 * count, T and the per-step strides come from the size table.
 */
export function fusedScanKernel(label: string, node: Node<'scan'>, shape: Shape, io: FusedScanBindings): KernelSource {
  const { body, numCarries, numSequences, length, reverse } = node.attrs;
  const n = sizeOf(shape);
  const sizes = new KernelSizes();
  const count = sizes.of(n);
  const names = new Map<string, string>();
  const lines: string[] = [];
  const load = (b: BufferBinding, index: string) => {
    const read = loadStored(b, index);
    return b.type.dtype === 'bool' ? `(${read} != 0u)` : read;
  };
  const store = (dtype: string, value: string) => (dtype === 'bool' ? `select(0u, 1u, ${value})` : value);
  io.inputs.forEach((b, k) => {
    if (k < numCarries) lines.push(`  var c${k}: ${wgslValueType(b.type.dtype)} = ${load(b, 'i')};`);
    else if (k >= numCarries + numSequences) lines.push(`  let k${k}: ${wgslValueType(b.type.dtype)} = ${load(b, broadcastIndex('i', shape, b.type.shape, sizes))};`);
  });
  const steps = sizes.of(length);
  lines.push(`  for (var s: u32 = 0u; s < ${steps}; s = s + 1u) {`);
  lines.push(`    let t = ${reverse ? `${steps} - 1u - s` : 's'};`);
  body.inputs.forEach((id, k) => {
    const b = io.inputs[k]!;
    if (k < numCarries) names.set(id, `c${k}`);
    else if (k < numCarries + numSequences) {
      const slice = b.type.shape.slice(1);
      lines.push(`    let x${k} = ${load(b, `t * ${sizes.of(sizeOf(slice))} + ${broadcastIndex('i', shape, slice, sizes)}`)};`);
      names.set(id, `x${k}`);
    } else names.set(id, `k${k}`);
  });
  for (const id of topologicalOrder(body)) {
    const bn = body.nodes[id]!;
    if (bn.op === 'input') continue;
    const type = bn.type as TensorType;
    const local = `b${names.size}`;
    let expr: string;
    if (bn.op === 'constant') expr = wgslLiteral(bn.attrs.value as number, type.dtype);
    else {
      const inTypes = bn.inputs.map((x) => body.nodes[x]!.type as TensorType);
      expr = mapExpr(bn, bn.inputs.map((x) => names.get(x)!), inTypes, type);
    }
    lines.push(`    let ${local}: ${wgslValueType(type.dtype)} = ${expr};`);
    names.set(id, local);
  }
  body.outputs.slice(numCarries).forEach((o, k) => {
    const b = io.outputs[numCarries + k];
    if (b !== undefined) lines.push(`    ${b.name}[t * ${count} + i] = ${store(b.type.dtype, names.get(o.node)!)};`);
  });
  // Carries update after every output of the step is written (outputs may read the old carries).
  // Through temporaries, so a body that permutes its carries reads the old values.
  body.outputs.slice(0, numCarries).forEach((o, k) => lines.push(`    let next${k} = ${names.get(o.node)!};`));
  body.outputs.slice(0, numCarries).forEach((_, k) => lines.push(`    c${k} = next${k};`));
  lines.push('  }');
  io.outputs.slice(0, numCarries).forEach((b, k) => {
    if (b !== undefined) lines.push(`  ${b.name}[i] = ${store(b.type.dtype, `c${k}`)};`);
  });
  // An output may be one of the inputs' bindings (written in place): it is bound once.
  const bindings = sizes.bind([...io.inputs, ...io.outputs.filter((b): b is BufferBinding => b !== undefined && !io.inputs.includes(b))]);
  const code = [
    declareBindings(bindings),
    `@compute @workgroup_size(${WORKGROUP})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {',
    `  let i = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `  if (i >= ${count}) { return; }`,
    ...lines,
    '}',
  ].join('\n');
  return { label, kind: 'scan-fused', code: withFastDivision(code), bindings, workgroups: dispatch2d(Math.ceil(n / WORKGROUP)), usesStep: false, sizes: sizes.values };
}
