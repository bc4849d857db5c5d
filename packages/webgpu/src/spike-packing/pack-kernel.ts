import { sizeOf } from '@spikeflow/core';
import { computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, wgslLiteral, type BufferBinding, type KernelSource } from '../codegen/kernel-source.js';
import { packedWords } from './bit-layout.js';

const WORKGROUP = 64;

/**
 * Packs a spike train (a buffer whose elements are proven to be 0 or 1) into bits: one thread per
 * u32 word gathers its 32 elements; bits past the last element stay 0. `to` is the packed binding
 * (same tensor type, `packed: true`), written whole.
 */
export function spikePackKernel(label: string, from: BufferBinding, to: BufferBinding): KernelSource {
  if (to.packed !== true || from.packed === true || from.stepStride !== 0 || to.stepStride !== 0) throw new Error('internal: spike packing goes from a plain buffer to a packed one');
  const n = sizeOf(from.type.shape);
  const words = packedWords(n);
  const sizes = new KernelSizes();
  const zero = wgslLiteral(0, from.type.dtype === 'bool' ? 'u32' : from.type.dtype);
  const bit = `select(0u, 1u, ${loadStored(from, 'e')} != ${zero}) << b`;
  // Every word checks its bound (the element count comes from the size table, so whether the last
  // word is full is not known when the kernel is generated).
  const [count, wordCount] = [sizes.of(n), sizes.of(words)];
  const bindings = sizes.bind([from, to]);
  const { code } = computeModule(bindings, WORKGROUP, [
    `let w = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `if (w >= ${wordCount}) { return; }`,
    'let base = w * 32u;',
    'var word = 0u;',
    `for (var b = 0u; b < 32u; b++) { let e = base + b; if (e < ${count}) { word |= ${bit}; } }`,
    `${to.name}[w] = word;`,
  ]);
  return { label, kind: 'spike-pack', code, bindings, workgroups: dispatch2d(Math.ceil(words / WORKGROUP)), usesStep: false, sizes: sizes.values };
}
