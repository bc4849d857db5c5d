import { sizeOf } from '@spikeflow/core';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, KernelSizes, loadStored, wgslLiteral, type BufferBinding, type KernelSource } from '../codegen/kernel-source.js';
import { packedWords, SPIKES_PER_WORD } from './bit-layout.js';

const WORKGROUP = 64;

/**
 * Packs a spike train (a buffer whose elements are proven to be 0 or 1) into bits: one thread per
 * u32 word gathers its 32 elements; bits past the last element stay 0. `to` is the packed binding
 * (same tensor type, `packed: true`), written whole; or, inside a step loop, the step's slice of a
 * stacked packed buffer (`to.stepStride` elements per step, a whole number of words, so no two
 * steps share a word and each step writes its words whole). Sizes and step strides come from the
 * kernel's size table.
 */
export function spikePackKernel(label: string, fromBinding: BufferBinding, toBinding: BufferBinding): KernelSource {
  if (toBinding.packed !== true || fromBinding.packed === true) throw new Error('internal: spike packing goes from a plain buffer to a packed one');
  if (toBinding.stepStride % SPIKES_PER_WORD !== 0) throw new Error(`internal: a packed step slice of ${toBinding.stepStride} elements does not fill whole words`);
  const n = sizeOf(fromBinding.type.shape);
  const words = packedWords(n);
  const sizes = new KernelSizes();
  const [from, to] = [sizes.stepped(fromBinding), sizes.stepped(toBinding)];
  const zero = wgslLiteral(0, from.type.dtype === 'bool' ? 'u32' : from.type.dtype);
  const bit = `select(0u, 1u, ${loadStored(from, 'e')} != ${zero}) << b`;
  // Every word checks its bound (the element count comes from the size table, so whether the last
  // word is full is not known when the kernel is generated).
  const [count, wordCount] = [sizes.of(n), sizes.of(words)];
  const bindings = sizes.bind([from, to]);
  const { code, usesStep } = computeModule(bindings, WORKGROUP, [
    `let w = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `if (w >= ${wordCount}) { return; }`,
    'let base = w * 32u;',
    'var word = 0u;',
    `for (var b = 0u; b < 32u; b++) { let e = base + b; if (e < ${count}) { word |= ${bit}; } }`,
    `${to.name}[(${bindingIndex(to, 'base')}) >> 5u] = word;`,
  ]);
  return { label, kind: 'spike-pack', code, bindings, workgroups: dispatch2d(Math.ceil(words / WORKGROUP)), usesStep, sizes: sizes.values };
}
