// ANN-to-SNN conversion (Rueckauer et al. 2017): the activation scales against a percentile
// computed here, the IF rate bound |rate − ReLU(x)/λ| < 1/T, and rates of a converted network
// approaching its normalised analog activations as T grows.
import { cpuBackend, evaluate, GraphBuilder, SpikeflowError, tensor, toArray, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  activationScales,
  annMlp,
  applySequential,
  convertedSnnGraph,
  convertToSnn,
  evaluateSnn,
  layerActivations,
  linear,
  parseSequential,
  percentile,
  relu,
  sequential,
  snnOutputName,
  standardLayers,
  weightLayers,
  type ConvertedSnn,
  type SequentialSpec,
} from '../src/index.js';
import { testData, testRandom } from '../../../test/support/test-data.js';

/** Uniform params for an ANN spec, by the names buildSequential gives them. */
function annParams(spec: SequentialSpec, seed: number): Record<string, HostTensor> {
  const params: Record<string, HostTensor> = {};
  weightLayers(spec).forEach((l, k) => {
    params[`${l.name}/w`] = tensor([l.spec.in, l.spec.out], testData(seed + 2 * k, l.spec.in * l.spec.out, -0.6, 0.6));
    params[`${l.name}/b`] = tensor([l.spec.out], testData(seed + 2 * k + 1, l.spec.out, -0.1, 0.3));
  });
  return params;
}

/** The ANN's activations computed here in float64, by plain loops: per weight layer, samples × units. */
function forwardByHand(spec: SequentialSpec, params: Record<string, HostTensor>, x: number[], count: number): number[][][] {
  let rows: number[][] = Array.from({ length: count }, (_, s) => x.slice(s * weightLayers(spec)[0]!.spec.in, (s + 1) * weightLayers(spec)[0]!.spec.in));
  return weightLayers(spec).map((l) => {
    const w = params[`${l.name}/w`]!.data;
    const bias = params[`${l.name}/b`]!.data;
    rows = rows.map((row) =>
      Array.from({ length: l.spec.out }, (_, j) => {
        let z = bias[j]!;
        for (let i = 0; i < l.spec.in; i++) z += row[i]! * w[i * l.spec.out + j]!;
        return l.rectified ? Math.max(z, 0) : z;
      }),
    );
    return rows;
  });
}

/** The p-th percentile as numpy defines it, written out here: linear interpolation at rank p/100·(n − 1) of the sorted values. */
function numpyPercentile(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const rank = (p * (v.length - 1)) / 100;
  const below = Math.floor(rank);
  return below + 1 < v.length ? v[below]! * (1 - (rank - below)) + v[below + 1]! * (rank - below) : v[below]!;
}

const SPEC = annMlp([6, 10, 8, 4]);
const SAMPLES = 40;
const X = testData(11, SAMPLES * 6, 0, 1);
const PARAMS = annParams(SPEC, 20);

/** Each IF layer's spike counts after T steps of the spec run on x repeated T times (as an exporter would run it). */
function specCounts(snn: ConvertedSnn, x: number[], batch: number, steps: number): number[][] {
  const b = new GraphBuilder();
  const features = x.length / batch;
  const input = b.input('x', [steps, batch, features]);
  const layers = applySequential(b, snn.spec, input, standardLayers);
  const g = b.finish(Object.fromEntries(layers.filter((l) => l.name.startsWith('if')).map((l) => [l.name, l.output.sum(0)])));
  const repeated = Array.from({ length: steps }, () => x).flat();
  const out = evaluate(g, { inputs: { x: repeated }, params: snn.params }).outputs;
  return Object.keys(out).sort((a, c) => Number(a.slice(2)) - Number(c.slice(2))).map((name) => toArray(out[name]!));
}

describe('percentile', () => {
  it('is 1 + p/100·(n − 1) on the shuffled values 1..n, the maximum at p = 100, and interpolates by hand', () => {
    const next = testRandom(3);
    const values = Array.from({ length: 1000 }, (_, i) => i + 1).sort(() => next() - 0.5);
    for (const p of [0, 12.5, 50, 99, 99.9, 100]) expect(percentile(values, p)).toBeCloseTo(1 + (p / 100) * 999, 9);
    // [3, 1, 2, 4] sorted is 1 2 3 4; p = 50: rank 1.5, halfway between 2 and 3.
    expect(percentile([3, 1, 2, 4], 50)).toBe(2.5);
    expect(percentile([7], 99.9)).toBe(7);
  });

  it('rejects p outside [0, 100], no values and NaN, naming the field', () => {
    expect(() => percentile([1, 2], 101, 'options.percentile')).toThrow(/options\.percentile.*\[0, 100\]/);
    expect(() => percentile([], 50)).toThrow(SpikeflowError);
    expect(() => percentile([1, Number.NaN], 50)).toThrow(/NaN/);
  });
});

describe('data-based normalisation', () => {
  it('the activations run on the CPU backend equal a float64 forward pass by hand', async () => {
    const activations = await layerActivations(cpuBackend(), SPEC, PARAMS, { count: SAMPLES, images: Float32Array.from(X) }, 16);
    forwardByHand(SPEC, PARAMS, X, SAMPLES).forEach((rows, k) => {
      const got = activations.get(weightLayers(SPEC)[k]!.name)!;
      rows.flat().forEach((v, i) => expect(got[i]).toBeCloseTo(v, 5));
    });
  });

  it('λ_l is the percentile of the positive activations, computed independently; max and none as stated', async () => {
    const byHand = forwardByHand(SPEC, PARAMS, X, SAMPLES);
    const activations = new Map(weightLayers(SPEC).map((l, k) => [l.name, byHand[k]!.flat()]));
    const positive = byHand.map((rows) => rows.flat().filter((v) => v > 0));
    // The output layer's linear values include negatives; only the positive ones count.
    expect(byHand[2]!.flat().some((v) => v < 0)).toBe(true);
    for (const p of [50, 99, 99.9]) {
      const scales = activationScales(SPEC, activations, { percentile: p });
      expect(scales.map((s) => s.layer)).toEqual(['linear0', 'linear2', 'linear4']);
      scales.forEach((s, k) => expect(s.scale).toBeCloseTo(numpyPercentile(positive[k]!, p), 12));
    }
    activationScales(SPEC, activations, { method: 'max' }).forEach((s, k) => expect(s.scale).toBe(Math.max(...positive[k]!)));
    expect(activationScales(SPEC, activations, { method: 'none' }).map((s) => s.scale)).toEqual([1, 1, 1]);
  });

  it('the conversion rescales W_l by λ_{l−1}/λ_l and b_l by 1/λ_l, and makes linear + IF (threshold 1, reset by subtraction) layers', () => {
    const scales = [{ layer: 'linear0', scale: 2 }, { layer: 'linear2', scale: 0.5 }, { layer: 'linear4', scale: 4 }];
    const snn = convertToSnn(SPEC, PARAMS, scales);
    const factors = { linear0: [1 / 2, 1 / 2], linear2: [2 / 0.5, 1 / 0.5], linear4: [0.5 / 4, 1 / 4] };
    for (const [layer, [wf, bf]] of Object.entries(factors)) {
      toArray(snn.params[`${layer}/w`]!).forEach((v, i) => expect(v).toBeCloseTo(PARAMS[`${layer}/w`]!.data[i]! * wf!, 6));
      toArray(snn.params[`${layer}/b`]!).forEach((v, i) => expect(v).toBeCloseTo(PARAMS[`${layer}/b`]!.data[i]! * bf!, 6));
    }
    expect(snn.spec.layers.map((l) => l.kind)).toEqual(['linear', 'if', 'linear', 'if', 'linear', 'if']);
    expect(snn.spec.layers[1]).toMatchObject({ vThreshold: 1, vReset: null });
    // Plain data that the standard library accepts as it is (e.g. for an exporter).
    expect(parseSequential(JSON.stringify(snn.spec), standardLayers)).toEqual(snn.spec);
  });

  it('rejects a network it cannot convert, a missing param and a missing scale, naming them', () => {
    expect(() => weightLayers(sequential([linear(4, 4), linear(4, 2)]))).toThrow(/layers\[1\]\.kind.*relu/);
    expect(() => weightLayers(sequential([linear(4, 4), relu()]))).toThrow(/layers\[1\]\.kind.*ends in its linear output/);
    const { ['linear2/b']: _, ...missing } = PARAMS;
    const scales = [{ layer: 'linear0', scale: 1 }, { layer: 'linear2', scale: 1 }, { layer: 'linear4', scale: 1 }];
    expect(() => convertToSnn(SPEC, missing, scales)).toThrow(/params\.linear2\/b/);
    expect(() => convertToSnn(SPEC, PARAMS, scales.slice(0, 2))).toThrow(/scales\.linear4/);
    expect(() => activationScales(SPEC, new Map([['linear0', [0, 0]]]))).toThrow(/activations\.linear0.*never active/);
  });
});

describe('the converted network', () => {
  it('one layer: the IF rate after T steps is min(ReLU(Wx + b)/λ, 1) within 1/T', () => {
    const spec = annMlp([6, 5]);
    const params = annParams(spec, 40);
    const z = forwardByHand(spec, params, X, SAMPLES)[0]!.flat();
    // λ at the 70th percentile: some currents exceed the threshold and saturate at one spike per step.
    const lambda = numpyPercentile(z.filter((v) => v > 0), 70);
    const snn = convertToSnn(spec, params, [{ layer: 'linear0', scale: lambda }]);
    expect(z.some((v) => v / lambda > 1) && z.some((v) => v < 0)).toBe(true);
    for (const steps of [7, 40, 300]) {
      const out = evaluate(convertedSnnGraph(snn, { steps, batch: SAMPLES }), { inputs: { x: X }, params: snn.params }).outputs;
      const rates = toArray(out[snnOutputName('counts', steps)]!).map((c) => c / steps);
      rates.forEach((r, i) => expect(Math.abs(r - Math.min(Math.max(z[i]!, 0) / lambda, 1)), `T = ${steps}, unit ${i}`).toBeLessThan(1 / steps + 1e-6));
      // The membrane output is the summed current T·z/λ; below saturation it is the count plus the residual V_T in [0, 1).
      const membrane = toArray(out[snnOutputName('membrane', steps)]!);
      membrane.forEach((m, i) => expect(m / steps).toBeCloseTo(z[i]! / lambda, 5));
      membrane.forEach((m, i) => {
        if (z[i]! >= 0 && z[i]! < lambda) expect(m - rates[i]! * steps).toBeGreaterThan(-1e-4), expect(m - rates[i]! * steps).toBeLessThan(1);
      });
    }
  });

  it('three layers: every layer\'s rate approaches its normalised ANN activation as T grows', () => {
    const byHand = forwardByHand(SPEC, PARAMS, X, SAMPLES);
    const scales = activationScales(SPEC, new Map(weightLayers(SPEC).map((l, k) => [l.name, byHand[k]!.flat()])), { method: 'max' });
    const snn = convertToSnn(SPEC, PARAMS, scales);
    const target = byHand.map((rows, k) => rows.flat().map((v) => Math.max(v, 0) / scales[k]!.scale));
    const errors = [10, 100, 1000].map((steps) =>
      specCounts(snn, X, SAMPLES, steps).map((counts, k) => counts.reduce((sum, c, i) => sum + Math.abs(c / steps - target[k]![i]!), 0) / counts.length),
    );
    for (let k = 0; k < 3; k++) {
      expect(errors[1]![k]!, `layer ${k}: T = 100 beats T = 10`).toBeLessThan(errors[0]![k]!);
      expect(errors[2]![k]!, `layer ${k}: T = 1000 beats T = 100`).toBeLessThan(errors[1]![k]!);
      expect(errors[2]![k]!, `layer ${k}: mean error at T = 1000`).toBeLessThan(0.01);
    }
    // The first layer sees a constant current: its bound holds unit by unit.
    expect(errors[2]![0]!).toBeLessThan(1 / 1000);
  });

  it('its graph reads at several steps the counts of the spec run for that many steps', () => {
    const snn = convertToSnn(SPEC, PARAMS, [{ layer: 'linear0', scale: 1.5 }, { layer: 'linear2', scale: 1.2 }, { layer: 'linear4', scale: 0.8 }]);
    const out = evaluate(convertedSnnGraph(snn, { steps: 30, batch: SAMPLES, readAt: [5, 30] }), { inputs: { x: X }, params: snn.params }).outputs;
    for (const steps of [5, 30]) expect(toArray(out[snnOutputName('counts', steps)]!)).toEqual(specCounts(snn, X, SAMPLES, steps)[2]);
  });

  it('with Poisson input the rates approach those of the constant input', () => {
    const spec = annMlp([6, 5]);
    const params = annParams(spec, 40);
    const snn = convertToSnn(spec, params, [{ layer: 'linear0', scale: 2 }]);
    const steps = 2000;
    const rate = (encoding: 'constant' | 'poisson') =>
      toArray(evaluate(convertedSnnGraph(snn, { steps, batch: 8, encoding, seed: 5 }), { inputs: { x: X.slice(0, 48), ...(encoding === 'poisson' ? { draw: tensor([], [0], 'u32') } : {}) }, params: snn.params }).outputs[snnOutputName('counts', steps)]!).map((c) => c / steps);
    const constant = rate('constant');
    const poisson = rate('poisson');
    expect(constant.some((r) => r > 0.1)).toBe(true);
    // Binomial input noise: a few standard errors of a rate near 0.5 over 2,000 steps (sd ≈ 0.011), plus the 1/T bound.
    poisson.forEach((r, i) => expect(Math.abs(r - constant[i]!), `unit ${i}`).toBeLessThan(0.06));
  });

  it('evaluateSnn scores a network by counts and membrane at each T on the CPU, padding the last batch', async () => {
    const spec = annMlp([6, 3]);
    const params = annParams(spec, 60);
    const labels = Int32Array.from(forwardByHand(spec, params, X, SAMPLES)[0]!.map((row) => row.indexOf(Math.max(...row))));
    const snn = convertToSnn(spec, params, [{ layer: 'linear0', scale: 1 }]);
    const scored = await evaluateSnn(cpuBackend(), snn, { count: SAMPLES, images: Float32Array.from(X), labels }, { steps: [1, 200], batch: 16 });
    expect(scored.map((s) => s.steps)).toEqual([1, 200]);
    // Labels are the ANN's own argmax: by the membrane (the summed current, exactly T·(Wx + b)) every one is right.
    expect(scored[1]!.membrane).toBe(1);
    expect(scored[1]!.counts).toBeGreaterThan(0.9);
  });
});
