import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { decayTowards, plasticityStep, type PlasticState, type PlasticityRate } from './rules.js';
import type { PlasticitySpec } from './spec.js';

/**
 * A plastic synapse [in → out] shared by the feed-forward and the recurrent layer: learned W and α
 * (per synapse), η (learned or fixed) or the neuromodulator's w_M, b_M, and the per-sample state
 * the layer carries through its scan.
 */
export interface PlasticSynapse {
  readonly spec: PlasticitySpec;
  readonly w: Tensor;
  readonly alpha: Tensor;
  /** The scalar η; undefined when M(t) replaces it. */
  readonly eta?: PlasticityRate;
  readonly modulator?: { readonly w: Tensor; readonly b: Tensor };
}

/** Declares the synapse's params in the current scope; call it outside the scan so they are captured, not re-declared per step. */
export function plasticSynapse(b: GraphBuilder, inFeatures: number, outFeatures: number, spec: PlasticitySpec, initScale: number): PlasticSynapse {
  const k = initScale / Math.sqrt(inFeatures);
  const w = b.param('w', [inFeatures, outFeatures], { kind: 'uniform', low: -k, high: k });
  const a = spec.alphaInit;
  const alpha = b.param('alpha', [inFeatures, outFeatures], a === 0 ? { kind: 'zeros' } : { kind: 'uniform', low: -a, high: a });
  switch (spec.eta) {
    case 'learned':
      return { spec, w, alpha, eta: b.param('eta', [], { kind: 'fill', value: spec.etaInit }) };
    case 'fixed':
      return { spec, w, alpha, eta: spec.etaInit };
    case 'neuromodulated': {
      const km = 1 / Math.sqrt(outFeatures);
      const modulator = b.scope('modulator', () => ({
        w: b.param('w', [outFeatures, 1], { kind: 'uniform', low: -km, high: km }),
        b: b.param('b', [1], { kind: 'zeros' }),
      }));
      return { spec, w, alpha, modulator };
    }
  }
}

/** x·W_eff with W_eff = W + α ⊙ Hebb, per sample: [B, in] → [B, out]. */
export function plasticDrive(syn: PlasticSynapse, hebb: Tensor, x: Tensor): Tensor {
  const [batch, inFeatures] = x.shape as [number, number];
  // Start from the step's own tensor: an op on an outer param would be traced into the outer graph.
  // A broadcast product summed over `in` fuses into one reduction; a batched [B, 1, in] matmul
  // wastes most of its tile on M = 1 and was 3-5x slower on the software GPU.
  return hebb.mul(syn.alpha).add(syn.w).mul(x.reshape([batch, inFeatures, 1])).sum(1);
}

/** This step's η: the scalar, or M(t) = tanh(y·w_M + b_M) from the postsynaptic output y, one per sample ([B]). */
export function plasticRate(syn: PlasticSynapse, y: Tensor): { eta: PlasticityRate; modulation?: Tensor } {
  if (syn.modulator === undefined) return { eta: syn.eta! };
  const m = y.matmul(syn.modulator.w).add(syn.modulator.b).tanh().reshape([y.shape[0]!]);
  return { eta: m, modulation: m };
}

/** A fresh episode: Hebb (and E, θ where the spec has them) at zero. */
export function initialPlasticState(b: GraphBuilder, batch: number, syn: PlasticSynapse): PlasticState {
  const [inFeatures, outFeatures] = syn.w.shape as [number, number];
  const zeros = b.constant(0, [batch, inFeatures, outFeatures]);
  return {
    hebb: zeros,
    eligibility: syn.spec.update === 'eligibility' ? zeros : undefined,
    theta: syn.spec.rule === 'bcm' ? b.constant(0, [batch, outFeatures]) : undefined,
  };
}

/** The state as scan carries, in a fixed order (Hebb, then E, then θ). */
export function plasticCarries(state: PlasticState): Tensor[] {
  return [state.hebb, ...(state.eligibility ? [state.eligibility] : []), ...(state.theta ? [state.theta] : [])];
}

/** Reads back the carries `plasticCarries` laid out, for the same spec. */
export function readPlasticCarries(spec: PlasticitySpec, carries: readonly Tensor[]): PlasticState {
  const eligible = spec.update === 'eligibility';
  return {
    hebb: carries[0]!,
    eligibility: eligible ? carries[1]! : undefined,
    theta: spec.rule === 'bcm' ? carries[eligible ? 2 : 1]! : undefined,
  };
}

/** What the rule sees of a signal: itself, or its exponential trace λ·x̄ + (1 − λ)·x. */
export function ruleSignal(spec: PlasticitySpec, previousTrace: Tensor | undefined, x: Tensor): Tensor {
  return spec.traceDecay === null ? x : decayTowards(previousTrace!, x, 1 - spec.traceDecay);
}

/**
 * The learning half of a step: η (or M(t), from the raw output y) and the rule applied to what it
 * sees of the presynaptic and postsynaptic signals.
 */
export function learnStep(syn: PlasticSynapse, state: PlasticState, pre: Tensor, post: Tensor, y: Tensor): { state: PlasticState; modulation?: Tensor } {
  const { eta, modulation } = plasticRate(syn, y);
  return { state: plasticityStep(syn.spec, state, pre, post, eta), modulation };
}
