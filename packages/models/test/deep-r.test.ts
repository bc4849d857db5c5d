// DEEP R (Bellec et al. 2018, "Deep rewiring") checked against its definition: the active count is
// held exactly, the l1 shrink and the noise touch active connections only, revived ones start at
// 1e-12, and the fixed signs never flip.
import { evaluate, SpikeflowError, toArray, trace, type HostTensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { adam, trainingGraph } from '../src/index.js';
import { countActive, DeepRewiring, initDeepR, lsnn, REVIVED_THETA, rewire, type TrainStateAccess } from '../src/lsnn/index.js';
import { TaskRng } from '../src/tasks/task-rng.js';

const REVIVED = Math.fround(REVIVED_THETA);
const SIDE = 20;
/** A recurrent matrix's eligibility: everything but the diagonal. */
const OFF_DIAGONAL = Array.from({ length: SIDE * SIDE }, (_, k) => Number(Math.floor(k / SIDE) !== k % SIDE));

describe('initDeepR', () => {
  it('starts at exactly round(connectivity × eligible) active entries, only where eligible', () => {
    for (const connectivity of [0, 0.01, 0.12, 0.5, 1]) {
      const init = initDeepR(SIDE * SIDE, { connectivity, scale: 0.3, rng: new TaskRng(3), eligible: OFF_DIAGONAL });
      expect(init.target).toBe(Math.round(connectivity * 380));
      expect(countActive(init.theta)).toBe(init.target);
      init.theta.forEach((t, k) => {
        if (OFF_DIAGONAL[k] === 0) expect(t).toBe(0);
      });
      expect(init.sign.every((s) => s === 1 || s === -1)).toBe(true);
    }
    const signs = initDeepR(10_000, { connectivity: 0.1, scale: 1, rng: new TaskRng(4) }).sign;
    expect(Math.abs(signs.reduce((a, s) => a + s, 0))).toBeLessThan(300); // about half each way
  });

  it('is a pure function of the seed', () => {
    const a = initDeepR(400, { connectivity: 0.2, scale: 1, rng: new TaskRng(9) });
    expect(initDeepR(400, { connectivity: 0.2, scale: 1, rng: new TaskRng(9) })).toEqual(a);
    expect(initDeepR(400, { connectivity: 0.2, scale: 1, rng: new TaskRng(10) }).theta).not.toEqual(a.theta);
  });
});

describe('rewire', () => {
  it('holds the active count exactly through 200 steps of optimizer moves and rewiring', () => {
    const rng = new TaskRng(1);
    const moves = new TaskRng(2);
    const init = initDeepR(SIDE * SIDE, { connectivity: 0.12, scale: 0.05, rng, eligible: OFF_DIAGONAL });
    let theta = init.theta;
    let revivedTotal = 0;
    let prunedTotal = 0;
    for (let step = 0; step < 200; step++) {
      // An optimizer step: active θ move by their gradient; every 10th step, momentum lifts dormant θ instead.
      const lift = step % 10 === 9;
      const moved = theta.map((t, k) => (t > 0 ? (lift ? t : t - 0.02 * (moves.uniform() - 0.45)) : lift && OFF_DIAGONAL[k] && moves.uniform() < 0.1 ? 0.5 : t));
      const before = countActive(moved);
      const out = rewire(moved, { eta: 0.01, l1: 0.5, temperature: 0.01, rng, target: init.target, eligible: OFF_DIAGONAL });
      expect(countActive(out.theta), `step ${step}`).toBe(init.target);
      expect(out.active).toBe(init.target);
      expect(before - out.died - out.pruned + out.revived, `step ${step}`).toBe(init.target);
      out.theta.forEach((t, k) => {
        if (OFF_DIAGONAL[k] === 0) expect(t).toBe(0);
        if (moved[k]! <= 0 && t !== moved[k]) expect(t, `entry ${k} changed while dormant`).toBe(REVIVED);
      });
      revivedTotal += out.revived;
      prunedTotal += out.pruned;
      theta = out.theta;
    }
    // The run really rewired, and really had surplus connections to prune.
    expect(revivedTotal).toBeGreaterThan(100);
    expect(prunedTotal).toBeGreaterThan(0);
  });

  it('applies θ - η·l1 to active connections only (T = 0), then revives as many as died at 1e-12', () => {
    const theta = Float32Array.from([0.5, -0.3, 0.004, 0, 0.2, -1e-7, 0.001, 0.03]);
    const out = rewire(theta, { eta: 0.1, l1: 0.05, temperature: 0, rng: new TaskRng(5), target: 5 });
    // η·l1 = 0.005: 0.004 and 0.001 die, the others shrink by exactly 0.005.
    expect(out.died).toBe(2);
    expect(out.revived).toBe(2);
    expect(out.theta[0]).toBe(Math.fround(Math.fround(0.5) - 0.005));
    expect(out.theta[4]).toBe(Math.fround(Math.fround(0.2) - 0.005));
    expect(out.theta[7]).toBe(Math.fround(Math.fround(0.03) - 0.005));
    // Dormant entries are untouched unless revived; revived ones start at 1e-12.
    for (const k of [1, 2, 3, 5, 6]) {
      const wasDormant = theta[k]! <= 0;
      expect(out.theta[k] === REVIVED || (wasDormant && out.theta[k] === theta[k]) || (!wasDormant && out.theta[k]! <= 0)).toBe(true);
    }
    expect(out.theta.filter((t) => t === REVIVED).length).toBe(2);
    expect(theta[0]).toBe(Math.fround(0.5)); // the input is not modified
  });

  it('adds √(2ηT)·N(0, 1) noise to active connections only', () => {
    const n = 20_000;
    const theta = new Float32Array(2 * n);
    theta.fill(10, 0, n); // active, far from 0: none dies
    theta.fill(-2, n); // dormant
    const [eta, temperature] = [0.01, 0.5];
    const out = rewire(theta, { eta, l1: 0, temperature, rng: new TaskRng(6), target: n });
    const deltas = Array.from(out.theta.subarray(0, n), (t) => t - 10);
    const mean = deltas.reduce((a, d) => a + d, 0) / n;
    const std = Math.sqrt(deltas.reduce((a, d) => a + (d - mean) ** 2, 0) / n);
    const expected = Math.sqrt(2 * eta * temperature); // 0.1
    expect(Math.abs(mean)).toBeLessThan(4 * (expected / Math.sqrt(n)));
    expect(Math.abs(std / expected - 1)).toBeLessThan(0.03);
    expect(out.theta.subarray(n).every((t) => t === -2)).toBe(true);
    expect(out.revived + out.died + out.pruned).toBe(0);
  });

  it('revives uniformly among the eligible dormant entries', () => {
    const hits = new Array<number>(10).fill(0);
    const rng = new TaskRng(7);
    // Entry 0 dies every call (θ below η·l1); entries 1-9 are dormant, 10 is ineligible.
    const theta = Float32Array.from([1e-6, ...new Array<number>(9).fill(-0.5), 0]);
    const eligible = [...new Array<number>(10).fill(1), 0];
    for (let trial = 0; trial < 5000; trial++) {
      const out = rewire(theta, { eta: 1, l1: 1, temperature: 0, rng, target: 1, eligible });
      hits[out.theta.findIndex((t) => t > 0)]!++;
      expect(out.theta[10]).toBe(0);
    }
    // The one that just died is a candidate too, as in the reference code.
    for (const h of hits) expect(Math.abs(h - 500)).toBeLessThan(100);
  });

  it('prunes the smallest surplus connections when momentum revived some on its own', () => {
    const theta = Float32Array.from([0.5, 0.001, 0.3, 0.002, -1]);
    const out = rewire(theta, { eta: 0.1, l1: 0, temperature: 0, rng: new TaskRng(8), target: 2 });
    expect(Array.from(out.theta)).toEqual([Math.fround(0.5), 0, Math.fround(0.3), 0, -1]);
    expect(out.pruned).toBe(2);
  });

  it('is a pure function of θ and the seed', () => {
    const theta = initDeepR(400, { connectivity: 0.3, scale: 0.01, rng: new TaskRng(11) }).theta;
    const go = (seed: number) => rewire(theta, { eta: 0.05, l1: 0.01, temperature: 0.1, rng: new TaskRng(seed), target: 120 });
    expect(go(12)).toEqual(go(12));
    expect(go(12).theta).not.toEqual(go(13).theta);
    expect(countActive(theta)).toBe(120);
  });

  it('rejects bad arguments, naming them', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof SpikeflowError ? `${e.code}@${e.where}` : 'other';
      }
      return 'none';
    };
    const base = { eta: 0.1, l1: 0, temperature: 0, rng: new TaskRng(0), target: 1 };
    expect(code(() => rewire([1, 0], { ...base, target: 3 }))).toBe('attr@rewire.target');
    expect(code(() => rewire([1, 0], { ...base, eta: -1 }))).toBe('attr@rewire.eta');
    expect(code(() => rewire([1, 0], { ...base, eligible: [1] }))).toBe('shape@rewire.eligible');
    expect(code(() => rewire([1, 0], { ...base, eligible: [0, 1] }))).toBe('attr@rewire.theta[0]');
    expect(code(() => initDeepR(4, { connectivity: 2, scale: 1, rng: new TaskRng(0) }))).toBe('attr@deepR.connectivity');
  });
});

/** The CPU interpreter as a training step runner: state kept between calls, as a GPU keeps it. */
class CpuSteps implements TrainStateAccess {
  private state: Readonly<Record<string, HostTensor>> | undefined;
  constructor(private readonly graph: ReturnType<typeof trainingGraph>) {}
  step(inputs: Readonly<Record<string, HostTensor | number>>): Readonly<Record<string, HostTensor>> {
    const out = evaluate(this.graph, { inputs, ...(this.state ? { state: this.state } : {}) });
    this.state = out.state;
    return out.outputs;
  }
  readState(): Readonly<Record<string, HostTensor>> {
    if (this.state === undefined) throw new Error('no step yet');
    return this.state;
  }
  setState(values: Readonly<Record<string, HostTensor>>): void {
    this.state = { ...this.state, ...values };
  }
}

describe('DEEP R training (CPU)', () => {
  it('keeps the count and the signs at every step while the loss falls', async () => {
    const [T, B, I] = [16, 4, 4];
    const net = lsnn({ inputs: I, nLif: 6, nAlif: 6, outputs: 1, tauA: 40, tauOut: 5, deepR: { connectivity: 0.3, inputConnectivity: 0.5 }, seed: 3 });
    let deepR: ReturnType<typeof net>['deepR'] = [];
    const model = trace((b) => {
      const p = net(b, b.input('x', [T, B, I]));
      deepR = p.deepR;
      const d = p.readout.sub(b.input('y', [T, B, 1]));
      return { loss: d.mul(d).mean(), wIn: p.weights.input, wRec: p.weights.recurrent };
    });
    const train = trainingGraph(model, { loss: 'loss', optimizer: adam(), keepOutputs: true });
    // Input spikes at rate 0.3; the target is the running difference of channels 0 and 1.
    const rng = new TaskRng(21);
    const xs = Array.from({ length: T * B * I }, () => Number(rng.uniform() < 0.3));
    const ys: number[] = [];
    for (let b = 0; b < B; b++) {
      let acc = 0;
      for (let t = 0; t < T; t++) {
        acc += xs[(t * B + b) * I]! - xs[(t * B + b) * I + 1]!;
        ys[t * B + b] = 0.1 * acc;
      }
    }
    const inputs = { x: { type: { shape: [T, B, I], dtype: 'f32' as const }, data: Float32Array.from(xs) }, y: { type: { shape: [T, B, 1], dtype: 'f32' as const }, data: Float32Array.from(ys) }, lr: 0.05 };
    const steps = new CpuSteps(train);
    const rewiring = new DeepRewiring(deepR, { eta: 0.05, l1: 0.01, temperature: 1e-4, seed: 5 });
    const losses: number[] = [];
    let revived = 0;
    for (let k = 0; k < 60; k++) {
      const out = steps.step(inputs);
      losses.push(toArray(out.loss!)[0]!);
      // The forward pass used the weights of the previous rewire: exactly `target` nonzeros, each of its fixed sign.
      for (const [name, param] of [['wIn', deepR[0]!], ['wRec', deepR[1]!]] as const) {
        const w = toArray(out[name]!);
        expect(w.filter((v) => v !== 0).length, `${name} at step ${k}`).toBe(param.target);
        w.forEach((v, i) => expect(v === 0 || Math.sign(v) === param.sign[i]).toBe(true));
      }
      const counts = await rewiring.apply(steps);
      for (const p of deepR) {
        expect(countActive(steps.readState()[p.name]!.data), `${p.name} at step ${k}`).toBe(p.target);
        revived += counts[p.name]!.revived;
      }
    }
    // The best constant prediction scores the variance of the targets; beating it needs the input.
    const mean = ys.reduce((a, y) => a + y, 0) / ys.length;
    const constant = ys.reduce((a, y) => a + (y - mean) ** 2, 0) / ys.length;
    const head = losses.slice(0, 3).reduce((a, l) => a + l, 0) / 3;
    const tail = losses.slice(-3).reduce((a, l) => a + l, 0) / 3;
    console.log(`DEEP R (CPU): loss ${head.toFixed(4)} -> ${tail.toFixed(4)}, ${revived} connections revived; best constant ${constant.toFixed(4)}`);
    expect(tail).toBeLessThan(0.35 * head);
    expect(tail).toBeLessThan(0.6 * constant);
    expect(revived).toBeGreaterThan(0);
  });
});
