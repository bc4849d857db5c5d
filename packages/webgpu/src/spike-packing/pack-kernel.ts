import { sizeOf } from '@spikeflow/core';
import { bindingIndex, computeModule, dispatch2d, FLAT_WORKGROUP_INDEX, loadStored, wgslLiteral, type BufferBinding, type KernelSource } from '../codegen/kernel-source.js';
import { packedWords, SPIKES_PER_WORD } from './bit-layout.js';

const WORKGROUP = 64;

/**
 * Packs a spike train (a buffer whose elements are proven to be 0 or 1) into bits: one thread per
 * u32 word gathers its 32 elements; bits past the last element stay 0. `to` is the packed binding
 * (same tensor type, `packed: true`), written whole; or, inside a step loop, the step's slice of a
 * stacked packed buffer (`to.stepStride` elements per step, a whole number of words, so no two
 * steps share a word and each step writes its words whole).
 */
export function spikePackKernel(label: string, from: BufferBinding, to: BufferBinding): KernelSource {
  if (to.packed !== true || from.packed === true) throw new Error('internal: spike packing goes from a plain buffer to a packed one');
  if (to.stepStride % SPIKES_PER_WORD !== 0) throw new Error(`internal: a packed step slice of ${to.stepStride} elements does not fill whole words`);
  const n = sizeOf(from.type.shape);
  const words = packedWords(n);
  const zero = wgslLiteral(0, from.type.dtype === 'bool' ? 'u32' : from.type.dtype);
  const bit = `select(0u, 1u, ${loadStored(from, 'e')} != ${zero}) << b`;
  // A full word needs no bound check; only the last one of a size not a multiple of 32 does.
  const gather = n % SPIKES_PER_WORD === 0
    ? [`for (var b = 0u; b < 32u; b++) { let e = base + b; word |= ${bit}; }`]
    : [`for (var b = 0u; b < 32u; b++) { let e = base + b; if (e < ${n}u) { word |= ${bit}; } }`];
  const { code, usesStep } = computeModule([from, to], WORKGROUP, [
    `let w = ${FLAT_WORKGROUP_INDEX} * ${WORKGROUP}u + lid;`,
    `if (w >= ${words}u) { return; }`,
    'let base = w * 32u;',
    'var word = 0u;',
    ...gather,
    `${to.name}[(${bindingIndex(to, 'base')}) >> 5u] = word;`,
  ]);
  return { label, kind: 'spike-pack', code, bindings: [from, to], workgroups: dispatch2d(Math.ceil(words / WORKGROUP)), usesStep };
}
