import { tensor, toArray } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { federatedAverage } from '../../src/federated/index.js';

const global = { w: tensor([2, 2], [0, 0, 0, 0]), b: tensor([1], [9]) };

describe('federatedAverage', () => {
  it('is the mean of the clients weighted by their sample counts, worked by hand', () => {
    const out = federatedAverage(global, [
      { weight: 100, params: { w: [1, 2, 3, 4], b: [0] } },
      { weight: 300, params: { w: [5, 6, -1, 0], b: [4] } },
    ]);
    // (100·1 + 300·5)/400 = 4, (200 + 1800)/400 = 5, (300 − 300)/400 = 0, 400/400 = 1; b: 1200/400 = 3.
    expect(toArray(out.w!)).toEqual([4, 5, 0, 1]);
    expect(toArray(out.b!)).toEqual([3]);
    expect(out.w!.type).toEqual(global.w.type);
    // Three clients, weights 1, 1, 2: (0.5 + 1.5 + 2·3)/4 = 2.
    const three = federatedAverage({ b: tensor([1], [0]) }, [
      { weight: 1, params: { b: [0.5] } },
      { weight: 1, params: { b: [1.5] } },
      { weight: 2, params: { b: [3] } },
    ]);
    expect(toArray(three.b!)).toEqual([2]);
  });

  it('returns one client its own float32 params exactly, whatever its weight', () => {
    const values = [0.1, -1e-30, 3.4e38, 1 / 3].map(Math.fround);
    const out = federatedAverage({ w: tensor([4], [0, 0, 0, 0]) }, [{ weight: 7919, params: { w: values } }]);
    expect(Array.from(out.w!.data)).toEqual(values);
  });

  it('rejects bad weights, missing params, wrong lengths and a non-finite mean, naming the field', () => {
    expect(() => federatedAverage(global, [])).toThrow(/at least one client/);
    expect(() => federatedAverage(global, [{ weight: 0, params: { w: [1, 2, 3, 4], b: [0] } }])).toThrow(/clients\[0\]\.weight/);
    expect(() => federatedAverage(global, [{ weight: Number.NaN, params: { w: [1, 2, 3, 4], b: [0] } }])).toThrow(/clients\[0\]\.weight/);
    expect(() => federatedAverage(global, [{ weight: 1, params: { w: [1, 2, 3, 4] } }])).toThrow(/clients\[0\]\.params\.b/);
    expect(() => federatedAverage(global, [{ weight: 1, params: { w: [1, 2, 3], b: [0] } }])).toThrow(/clients\[0\]\.params\.w/);
    expect(() => federatedAverage(global, [{ weight: 1, params: { w: [1, Number.NaN, 3, 4], b: [0] } }])).toThrow(/params\.w.*element 1/);
    // A name that only an object's prototype has is not a param the client sent.
    expect(() => federatedAverage({ constructor: tensor([1], [0]) }, [{ weight: 1, params: {} }])).toThrow(/params\.constructor/);
  });
});
