import { describe, expect, it } from 'vitest';
import { float32Codec, quantiseCodec, quantisationGrid, TaskRng, topKCodec, topKIndices } from '../../src/index.js';
import { uniforms } from '../support/spike-task.js';

const rng = () => new TaskRng(5);

describe('float32Codec', () => {
  it('sends 4 little-endian bytes per value and reads back the float32 values', () => {
    const codec = float32Codec();
    const bytes = codec.encode([1, -2, 0.1], rng());
    expect(bytes.byteLength).toBe(12);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]); // 1.0f = 0x3f800000, -2.0f = 0xc0000000
    expect(Array.from(codec.decode(bytes, 3))).toEqual([1, -2, Math.fround(0.1)]);
    expect(() => codec.decode(bytes, 4)).toThrow(/float32.*16 bytes.*12/);
  });
});

describe('top-k sparsification', () => {
  it('keeps the largest magnitudes (ties to the lower index) and sends 8 bytes per kept value, worked by hand', () => {
    const values = [0.5, -3, 2, -2, 0.1];
    expect(Array.from(topKIndices(values, 2))).toEqual([1, 2]);
    expect(Array.from(topKIndices(values, 3))).toEqual([1, 2, 3]);
    const codec = topKCodec(0.4); // ⌈0.4 · 5⌉ = 2 values
    const bytes = codec.encode(values, rng());
    expect(bytes.byteLength).toBe(16);
    // Entry 0: index 1 as u32, then −3 as float32 (0xc0400000); entry 1: index 2, then 2.0 (0x40000000).
    expect(Array.from(bytes)).toEqual([1, 0, 0, 0, 0, 0, 0x40, 0xc0, 2, 0, 0, 0, 0, 0, 0, 0x40]);
    expect(Array.from(codec.decode(bytes, 5))).toEqual([0, -3, 2, 0, 0]);
    // A tenth of 5 values still sends one.
    expect(topKCodec(0.1).encode(values, rng()).byteLength).toBe(8);
  });

  it('rejects a fraction outside (0, 1] and a message that does not fit the tensor', () => {
    expect(() => topKCodec(0)).toThrow(/topK\.fraction/);
    expect(() => topKCodec(1.5)).toThrow(/topK\.fraction/);
    const codec = topKCodec(0.5);
    const bytes = codec.encode([1, 2], rng());
    expect(() => codec.decode(bytes, 4)).toThrow(/16 bytes/);
    // Index 7 written into a message for 2 values.
    new DataView(bytes.buffer).setUint32(0, 7, true);
    expect(() => codec.decode(bytes, 2)).toThrow(/outside the tensor.*7/);
  });
});

describe('uniform quantisation', () => {
  it('rounds to the nearest of 2^bits levels and packs the codes, worked by hand (2 bits)', () => {
    const values = [0, 0.1, 0.5, 1.5, 3];
    expect(quantisationGrid(values, 2)).toEqual({ lo: 0, step: 1, top: 3 });
    const codec = quantiseCodec({ bits: 2, rounding: 'nearest' });
    const bytes = codec.encode(values, rng());
    // 16 header bytes (lo 0, step 1 as float64) + ⌈5 · 2 / 8⌉ = 2 bytes of codes.
    expect(bytes.byteLength).toBe(18);
    const view = new DataView(bytes.buffer);
    expect([view.getFloat64(0, true), view.getFloat64(8, true)]).toEqual([0, 1]);
    // Codes 0, 0, 1, 2, 3 least significant bit first: byte 0 = 00 00 01 10 read from bit 0 = 0b10010000, byte 1 = 0b11.
    expect(Array.from(bytes.subarray(16))).toEqual([0b10010000, 0b11]);
    expect(Array.from(codec.decode(bytes, 5))).toEqual([0, 0, 1, 2, 3]);
  });

  it('decodes within half a step of every value with nearest rounding, and within one step, unbiased, with stochastic rounding', () => {
    const values = uniforms(3, 1000).map((u) => 0.02 * (u - 0.3));
    const { step } = quantisationGrid(values, 8);
    const nearest = quantiseCodec({ bits: 8, rounding: 'nearest' });
    const decoded = nearest.decode(nearest.encode(values, rng()), values.length);
    const worst = Math.max(...values.map((v, i) => Math.abs(decoded[i]! - v)));
    expect(worst).toBeLessThanOrEqual(step / 2 + 1e-15);
    expect(worst).toBeGreaterThan(0.4 * step); // 1,000 values do land near the middle between levels
    const stochastic = quantiseCodec({ bits: 8 });
    const noisy = stochastic.decode(stochastic.encode(values, rng()), values.length);
    expect(Math.max(...values.map((v, i) => Math.abs(noisy[i]! - v)))).toBeLessThan(step);
    // One bit, levels 0 and 1: 0.3 decodes to 1 with probability 0.3. Mean of 4,000 seeded draws, 4 standard errors (0.029).
    const oneBit = quantiseCodec({ bits: 1, rounding: 'stochastic' });
    let sum = 0;
    for (let s = 0; s < 4000; s++) sum += oneBit.decode(oneBit.encode([0, 0.3, 1], new TaskRng(s)), 3)[1]!;
    expect(Math.abs(sum / 4000 - 0.3)).toBeLessThan(0.029);
  });

  it('sends a constant tensor as its value and rejects bad options, non-finite values and short messages', () => {
    const codec = quantiseCodec({ bits: 4 });
    expect(Array.from(codec.decode(codec.encode([2.5, 2.5, 2.5], rng()), 3))).toEqual([2.5, 2.5, 2.5]);
    expect(() => quantiseCodec({ bits: 0 })).toThrow(/quantise\.bits/);
    expect(() => quantiseCodec({ bits: 17 })).toThrow(/quantise\.bits/);
    expect(() => quantiseCodec({ bits: 8, rounding: 'up' as 'nearest' })).toThrow(/quantise\.rounding/);
    expect(() => codec.encode([1, Number.NaN], rng())).toThrow(/not all finite/);
    expect(() => codec.decode(new Uint8Array(17), 3)).toThrow(/18 bytes/);
  });
});
