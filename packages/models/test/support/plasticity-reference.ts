import type { PlasticLinearSpec, PlasticRecurrentSpec, PlasticitySpec, PlasticUnit } from '../../src/plasticity/index.js';

/**
 * Plain-JS re-implementations of the plasticity rules and layers, loops over nested arrays in
 * float64, written from the formulas (docs/models/plasticity.md, "Formulas") and not from the
 * graph code, as the independent truth of plasticity.test.ts.
 */
export type Vec = number[];
export type Mat = number[][];
export type Cube = number[][][];

export interface RefState {
  readonly hebb: Cube;
  readonly eligibility?: Cube;
  readonly theta?: Mat;
}

const clamp = (v: number, c: number) => Math.min(c, Math.max(-c, v));

/** One step for pre x [B][in], post y [B][out]; `eta(b, j)` is η, or M(t) of sample b (and neuron j). */
export function refStep(spec: PlasticitySpec, s: RefState, x: Mat, y: Mat, eta: (b: number, j: number) => number): RefState {
  const hebb: Cube = [];
  const eligibility: Cube = [];
  const theta: Mat = [];
  s.hebb.forEach((rows, b) => {
    hebb.push([]);
    eligibility.push([]);
    rows.forEach((row, i) => {
      hebb[b]!.push([]);
      eligibility[b]!.push([]);
      row.forEach((h, j) => {
        const [xi, yj] = [x[b]![i]!, y[b]![j]!];
        let delta = xi * yj;
        if (spec.rule === 'oja') delta = yj * (xi - yj * h);
        if (spec.rule === 'bcm') delta = xi * yj * (yj - s.theta![b]![j]!);
        const n = eta(b, j);
        if (spec.update === 'trace') hebb[b]![i]!.push((1 - n) * h + n * delta);
        else if (spec.update === 'clip') hebb[b]![i]!.push(clamp(h + n * delta, spec.clip));
        else {
          const e = s.eligibility![b]![i]![j]!;
          hebb[b]![i]!.push(clamp(h + n * e, spec.clip));
          eligibility[b]![i]!.push((1 - spec.eligibilityRate) * e + spec.eligibilityRate * delta);
        }
      });
    });
    if (spec.rule === 'bcm') theta.push(y[b]!.map((yj, j) => (1 - spec.thetaRate) * s.theta![b]![j]! + spec.thetaRate * yj * yj));
  });
  return { hebb, eligibility: spec.update === 'eligibility' ? eligibility : undefined, theta: spec.rule === 'bcm' ? theta : undefined };
}

export const zeros2 = (rows: number, cols: number): Mat => Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
export const zeros3 = (n: number, rows: number, cols: number): Cube => Array.from({ length: n }, () => zeros2(rows, cols));

export function refInitialState(spec: PlasticitySpec, batch: number, pre: number, post: number): RefState {
  return {
    hebb: zeros3(batch, pre, post),
    eligibility: spec.update === 'eligibility' ? zeros3(batch, pre, post) : undefined,
    theta: spec.rule === 'bcm' ? zeros2(batch, post) : undefined,
  };
}

/** The learned values of a plastic layer. */
export interface RefParams {
  readonly w: Mat;
  readonly alpha: Mat;
  readonly eta?: number;
  readonly modulatorW?: Vec;
  readonly modulatorB?: number;
  readonly bias?: Vec;
  /** Recurrent layer only. */
  readonly wIn?: Mat;
}

/** SpikingJelly's LIF step, or tanh (no state). */
function refUnit(unit: PlasticUnit, v: number, a: number): { v: number; y: number } {
  if (unit.kind === 'tanh') return { v, y: Math.tanh(a) };
  const reset = unit.vReset ?? 0;
  const h = unit.decayInput ? v + (a - (v - reset)) / unit.tau : v - (v - reset) / unit.tau + a;
  const s = h >= unit.vThreshold ? 1 : 0;
  return { v: unit.vReset === null ? h - unit.vThreshold * s : h * (1 - s) + reset * s, y: s };
}

export interface RefRun {
  readonly outputs: Cube;
  readonly hebb: Cube;
  readonly modulation: Mat;
}

/**
 * The time loop both layers share. `drive(t, b, j, hebb, previousY)` is unit j's input at step t.
 * The rule's presynaptic side is x_t (feed-forward) or h_{t−1} (recurrent), each through its
 * exponential trace when the spec has one.
 */
function refLoop(
  x: Cube,
  p: RefParams,
  unit: PlasticUnit,
  spec: PlasticitySpec,
  recurrent: boolean,
  drive: (t: number, b: number, j: number, hebb: Cube, previousY: Mat) => number,
): RefRun {
  const [batch, inSize, out] = [x[0]!.length, p.w.length, p.w[0]!.length];
  let state = refInitialState(spec, batch, inSize, out);
  let v = zeros2(batch, out).map((r) => r.map(() => (unit.kind === 'tanh' ? 0 : (unit.vReset ?? 0))));
  let y = zeros2(batch, out);
  let preTrace = zeros2(batch, inSize);
  let postTrace = zeros2(batch, out);
  const outputs: Cube = [];
  const modulation: Mat = [];
  const lambda = spec.traceDecay;
  const traced = (prev: Mat, now: Mat) => (lambda === null ? now : prev.map((r, b) => r.map((q, j) => lambda * q + (1 - lambda) * now[b]![j]!)));
  x.forEach((xt, t) => {
    const step = v.map((row, b) => row.map((vj, j) => refUnit(unit, vj, drive(t, b, j, state.hebb, y) + (p.bias?.[j] ?? 0))));
    const previousY = y;
    v = step.map((r) => r.map((u) => u.v));
    y = step.map((r) => r.map((u) => u.y));
    // Recurrent: pre and post are one population, so h's trace before this step is the presynaptic side.
    const preSignal = recurrent ? (lambda === null ? previousY : postTrace) : traced(preTrace, xt);
    const postSignal = traced(postTrace, y);
    const m = y.map((row) => Math.tanh(row.reduce((acc, yj, j) => acc + yj * (p.modulatorW?.[j] ?? 0), p.modulatorB ?? 0)));
    state = refStep(spec, state, preSignal, postSignal, (b) => (spec.eta === 'neuromodulated' ? m[b]! : p.eta!));
    preTrace = preSignal;
    postTrace = postSignal;
    outputs.push(y);
    modulation.push(m);
  });
  return { outputs, hebb: state.hebb, modulation };
}

const effective = (p: RefParams, hebb: Cube, b: number, i: number, j: number) => p.w[i]![j]! + p.alpha[i]![j]! * hebb[b]![i]![j]!;

/** y_t = unit(x_t (W + α ⊙ Hebb) + bias); the rule sees (x_t, y_t). */
export function refPlasticLinear(spec: PlasticLinearSpec, p: RefParams, x: Cube): RefRun {
  return refLoop(x, p, spec.unit, spec.plasticity, false, (t, b, j, hebb) =>
    x[t]![b]!.reduce((acc, xi, i) => acc + xi * effective(p, hebb, b, i, j), 0),
  );
}

/** h_t = unit(x_t W_in + bias + h_{t−1} (W + α ⊙ Hebb)); the rule sees (h_{t−1}, h_t). */
export function refPlasticRecurrent(spec: PlasticRecurrentSpec, p: RefParams, x: Cube): RefRun {
  return refLoop(x, p, spec.unit, spec.plasticity, true, (t, b, j, hebb, previousY) => {
    const input = x[t]![b]!.reduce((acc, xi, i) => acc + xi * p.wIn![i]![j]!, 0);
    return input + previousY[b]!.reduce((acc, hi, i) => acc + hi * effective(p, hebb, b, i, j), 0);
  });
}
