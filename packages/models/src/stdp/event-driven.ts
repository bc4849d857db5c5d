import { fail } from '@spikeflow/core';
import { mulberry32 } from '../random/mulberry32.js';
import type { DiehlCookMode, DiehlCookOptions } from './diehl-cook.js';
import { traceDecays } from './rule.js';
import type { SpikeEvents } from './spike-events.js';

/**
 * An event-driven CPU simulator of `diehlCookGraph`: the same network, the same equations and
 * options, in plain typed-array code that works only where spikes happen. The graph stays the
 * definition (and is what runs on WebGPU); this is the fast CPU path, tested against the graph on
 * the CPU interpreter (identical spike trains, W and θ within 1e−5 over whole presentations).
 *
 * Per step the graph's dense work on W [inputs, neurons] reduces to:
 * - the drive pre @ W: the sum of the W rows of the inputs that spiked;
 * - depression −η_pre·x_post: only on the rows of inputs that spiked;
 * - potentiation η_post·x_pre·x_post2: only on the columns of neurons that spiked;
 * - the clip to [0, w_max]: only on those rows and columns, except at a presentation's first step,
 *   where the graph clips the whole (freshly normalised) W.
 * The traces decay every step (a multiply per input and neuron), as the graph's do.
 *
 * To give the graph's results bit for bit, every operation is rounded to f32 where the interpreter
 * rounds (each elementwise op; a matmul or a sum accumulates in float64 and rounds once), and the
 * scalars enter as f32 constants, as the graph builder stores them.
 */
export class EventDrivenDiehlCook {
  /** W [inputs, neurons], row-major: W[i·neurons + j] is the synapse from input i to neuron j. */
  readonly w: Float32Array;
  /** θ [neurons] (mV). */
  readonly theta: Float32Array;
  private readonly o: DiehlCookOptions;
  // Per-neuron and per-input scratch, reused across presentations.
  private readonly v: Float32Array;
  private readonly refractory: Float32Array;
  private readonly fired: Uint8Array;
  private readonly charged: Float32Array;
  private readonly margin: Float32Array;
  private readonly drive: Float64Array;
  private readonly xPre: Float32Array;
  private readonly xPost: Float32Array;
  private readonly xPost2: Float32Array;
  private readonly depression: Float32Array;
  private readonly potentiation: Float32Array;
  private readonly preSpiked: Uint8Array;

  constructor(options: DiehlCookOptions, state: { readonly w: ArrayLike<number>; readonly theta: ArrayLike<number> }) {
    const { inputs, neurons } = options;
    if (state.w.length !== inputs * neurons) fail('shape', 'EventDrivenDiehlCook', 'w is [inputs, neurons]', `${inputs * neurons}`, `${state.w.length}`);
    if (state.theta.length !== neurons) fail('shape', 'EventDrivenDiehlCook', 'theta is [neurons]', `${neurons}`, `${state.theta.length}`);
    this.o = options;
    this.w = Float32Array.from(state.w);
    this.theta = Float32Array.from(state.theta);
    this.v = new Float32Array(neurons);
    this.refractory = new Float32Array(neurons);
    this.fired = new Uint8Array(neurons);
    this.charged = new Float32Array(neurons);
    this.margin = new Float32Array(neurons);
    this.drive = new Float64Array(neurons);
    this.xPre = new Float32Array(inputs);
    this.xPost = new Float32Array(neurons);
    this.xPost2 = new Float32Array(neurons);
    this.depression = new Float32Array(neurons);
    this.potentiation = new Float32Array(neurons);
    this.preSpiked = new Uint8Array(inputs);
  }

  /** W uniform in [0, wInit) from a mulberry32 stream (not the graph's Philox init), θ = 0. */
  static initialState(options: DiehlCookOptions, seed: number): { w: Float32Array; theta: Float32Array } {
    const w = new Float32Array(options.inputs * options.neurons);
    let state = seed >>> 0;
    for (let k = 0; k < w.length; k++) {
      const r = mulberry32(state);
      state = r.state;
      w[k] = r.value * options.wInit;
    }
    return { w, theta: new Float32Array(options.neurons) };
  }

  /**
   * One presentation, as one call of `diehlCookGraph(options, mode)`: returns each neuron's spike
   * count and, with `recordSpikes`, the spike train [steps, neurons] (flat, 0/1).
   */
  present(input: SpikeEvents, mode: DiehlCookMode, recordSpikes = false): { counts: Float32Array; spikeTrain?: Float32Array } {
    const o = this.o;
    if (input.inputs !== o.inputs || input.steps !== o.steps) fail('shape', 'EventDrivenDiehlCook.present', 'input spikes are [steps, inputs]', `[${o.steps}, ${o.inputs}]`, `[${input.steps}, ${input.inputs}]`);
    const learn = mode === 'train';
    if (learn && o.weightTotal !== null) this.normalize(o.weightTotal);
    this.v.fill(Math.fround(o.vRest));
    this.refractory.fill(0);
    this.fired.fill(0);
    this.xPre.fill(0);
    this.xPost.fill(0);
    this.xPost2.fill(0);
    const counts = new Float32Array(o.neurons);
    const spikeTrain = recordSpikes ? new Float32Array(o.steps * o.neurons) : undefined;
    for (let t = 0; t < o.steps; t++) {
      const from = input.offsets[t]!;
      const to = input.offsets[t + 1]!;
      this.integrate(input.indices, from, to, learn);
      if (learn) this.learn(input.indices, from, to, t === 0);
      for (let j = 0; j < o.neurons; j++) {
        if (this.fired[j] === 0) continue;
        counts[j]! += 1;
        if (spikeTrain) spikeTrain[t * o.neurons + j] = 1;
      }
    }
    if (learn) {
      const decay = Math.fround(Math.exp(-(o.steps * o.stdp.dt + o.rest) / o.tauTheta));
      for (let j = 0; j < o.neurons; j++) this.theta[j] = Math.fround(this.theta[j]! * decay);
    }
    return spikeTrain ? { counts, spikeTrain } : { counts };
  }

  /** Each column of W scaled to sum to `total`, as `normalizeInputWeights` (a Neumaier sum rounded once). */
  private normalize(total: number): void {
    const { inputs, neurons } = this.o;
    const floor = Math.fround(1e-12);
    const totalF = Math.fround(total);
    for (let j = 0; j < neurons; j++) {
      let sum = 0;
      let comp = 0;
      for (let i = 0; i < inputs; i++) {
        const x = this.w[i * neurons + j]!;
        const s = sum + x;
        comp += Math.abs(sum) >= Math.abs(x) ? sum - s + x : x - s + sum;
        sum = s;
      }
      const safe = Math.max(Math.fround(sum + comp), floor);
      const scale = Math.fround(Math.fround(1 / safe) * totalF);
      for (let i = 0; i < inputs; i++) this.w[i * neurons + j] = Math.fround(this.w[i * neurons + j]! * scale);
    }
  }

  /** The LIF step: drive from the W rows of this step's input spikes, inhibition, θ, refractoriness. */
  private integrate(spiking: Int32Array, from: number, to: number, learn: boolean): void {
    const o = this.o;
    const n = o.neurons;
    const f = Math.fround;
    const drive = this.drive;
    drive.fill(0);
    for (let k = from; k < to; k++) {
      const row = spiking[k]! * n;
      for (let j = 0; j < n; j++) drive[j]! += this.w[row + j]!;
    }
    let lastCount = 0;
    for (let j = 0; j < n; j++) lastCount += this.fired[j]!;
    const [vRest, leak, gain, inhibition, vFloor] = [f(o.vRest), f(Math.exp(-o.stdp.dt / o.tauMembrane)), f(o.inputGain), f(o.inhibition), f(o.vFloor)];
    const threshold = f(o.vThreshold - (learn ? o.thresholdOffset : 0));
    let anyCrossing = false;
    for (let j = 0; j < n; j++) {
      const active = this.refractory[j]! <= 0 ? 1 : 0;
      const input = f(f(f(drive[j]!) * gain) * active);
      const inhibited = f((lastCount - this.fired[j]!) * inhibition);
      const charged = Math.max(f(f(f(f(f(this.v[j]! - vRest) * leak) + vRest) + input) - inhibited), vFloor);
      const margin = f(charged - f(this.theta[j]! + threshold));
      this.charged[j] = charged;
      this.margin[j] = margin;
      this.fired[j] = margin >= 0 && active === 1 ? 1 : 0;
      if (this.fired[j] === 1) anyCrossing = true;
    }
    if (o.winnerTakeAll && anyCrossing) this.keepLargestMargin();
    const [vReset, refractory, dt, thetaPlus] = [f(o.vReset), f(o.refractory), f(o.stdp.dt), f(o.thetaPlus)];
    for (let j = 0; j < n; j++) {
      if (this.fired[j] === 1) {
        this.v[j] = vReset;
        this.refractory[j] = refractory;
        if (learn) this.theta[j] = f(this.theta[j]! + thetaPlus);
      } else {
        this.v[j] = this.charged[j]!;
        this.refractory[j] = Math.max(f(this.refractory[j]! - dt), 0);
      }
    }
  }

  /** Of the crossing neurons only those at the largest margin fire (the graph's masked max). */
  private keepLargestMargin(): void {
    const n = this.o.neurons;
    const big = Math.fround(1e9);
    let best = -Infinity;
    for (let j = 0; j < n; j++) best = Math.max(best, this.fired[j] === 1 ? this.margin[j]! : Math.fround(this.margin[j]! - big));
    for (let j = 0; j < n; j++) if (this.fired[j] === 1 && !(this.margin[j]! >= best)) this.fired[j] = 0;
  }

  /** One step of `stdpStep` (synapse.ts) on the rows of spiking inputs and the columns of spiking neurons. */
  private learn(spiking: Int32Array, from: number, to: number, firstStep: boolean): void {
    const o = this.o;
    const rule = o.stdp;
    const { inputs, neurons: n } = o;
    const f = Math.fround;
    const decay = traceDecays(rule);
    const [dPre, dPost, dPost2] = [f(decay.pre), f(decay.post), f(decay.post2 ?? 0)];
    const triplet = rule.tauPost2 !== null;
    const setTraces = rule.traceUpdate === 'set';
    const take = (x: number) => (setTraces ? f(x + f(1 - x)) : f(x + 1));
    // 1–2: decay every trace; the presynaptic one takes this step's input spikes.
    for (let i = 0; i < inputs; i++) this.xPre[i] = f(this.xPre[i]! * dPre);
    for (let k = from; k < to; k++) {
      const i = spiking[k]!;
      this.xPre[i] = take(this.xPre[i]!);
      this.preSpiked[i] = 1;
    }
    const [etaPre, etaPost, wMax, mu] = [f(rule.etaPre), f(rule.etaPost), f(rule.wMax), f(rule.mu)];
    const firedColumns: number[] = [];
    for (let j = 0; j < n; j++) {
      this.xPost[j] = f(this.xPost[j]! * dPost);
      if (triplet) this.xPost2[j] = f(this.xPost2[j]! * dPost2);
      this.depression[j] = f(this.xPost[j]! * etaPre);
      if (this.fired[j] === 1) {
        this.potentiation[j] = triplet ? f(this.xPost2[j]! * etaPost) : etaPost;
        firedColumns.push(j);
      } else this.potentiation[j] = 0;
    }
    // 3–4: the changed entries, W ← clip(W + Δ⁺·(w_max − W)^μ − Δ⁻·W^μ) (additive: without the factors).
    const multiplicative = rule.form === 'multiplicative';
    const update = (index: number, up: number, down: number) => {
      const w = this.w[index]!;
      if (multiplicative) {
        up = f(up * f(Math.pow(Math.max(f(wMax - w), 0), mu)));
        down = f(down * f(Math.pow(Math.max(w, 0), mu)));
      }
      this.w[index] = Math.min(Math.max(f(f(w + up) - down), 0), wMax);
    };
    for (let k = from; k < to; k++) {
      const i = spiking[k]!;
      const row = i * n;
      for (let j = 0; j < n; j++) update(row + j, this.fired[j] === 1 ? f(this.xPre[i]! * this.potentiation[j]!) : 0, this.depression[j]!);
    }
    for (const j of firedColumns) {
      for (let i = 0; i < inputs; i++) if (this.preSpiked[i] === 0) update(i * n + j, f(this.xPre[i]! * this.potentiation[j]!), 0);
    }
    for (let k = from; k < to; k++) this.preSpiked[spiking[k]!] = 0;
    // The graph clips all of W every step; after the first step only the entries changed above can leave [0, w_max].
    if (firstStep) for (let k = 0; k < this.w.length; k++) this.w[k] = Math.min(Math.max(this.w[k]!, 0), wMax);
    // 5: the postsynaptic traces take this step's output spikes.
    for (const j of firedColumns) {
      this.xPost[j] = take(this.xPost[j]!);
      if (triplet) this.xPost2[j] = take(this.xPost2[j]!);
    }
  }
}
