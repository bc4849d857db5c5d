import { sizeOf } from '@spikeflow/core';
import { bindingIndex, declareBindings, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, STEP_UNIFORM, type BufferBinding, type KernelSource } from './kernel-source.js';

const WORKGROUP = 256;

/**
 * Copies one tensor's elements between buffers where either side may be a per-step slice of a
 * scan's stacked buffer (a plain buffer copy cannot add the step offset).
 */
export function copyKernel(label: string, source: BufferBinding, target: BufferBinding): KernelSource {
  const n = sizeOf(target.type.shape);
  const sizes = new KernelSizes();
  const [from, to] = [sizes.stepped(source), sizes.stepped(target)];
  const count = sizes.of(n);
  const bindings = sizes.bind([from, to]);
  const usesStep = bindings.some((b) => b.stepStride !== 0);
  const code = [
    declareBindings(bindings),
    usesStep ? STEP_UNIFORM : '',
    `@compute @workgroup_size(${WORKGROUP})`,
    'fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {',
    `  let i = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `  if (i >= ${count}) { return; }`,
    `  ${to.name}[${bindingIndex(to, 'i')}] = ${loadStored(from, 'i')};`,
    '}',
  ]
    .filter((l) => l !== '')
    .join('\n');
  return { label, kind: 'copy', code, bindings, workgroups: dispatch2d(Math.ceil(n / WORKGROUP)), usesStep, sizes: sizes.values };
}
