import { z } from 'zod';
import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';
import { expectSteps, psnCharge, psnParams, psnSpikes, psnSurrogateFields, timeMajor } from './psn.js';
import { windowScan } from './sliding-psn.js';

/**
 * The masked PSN of order k (SpikingJelly's `MaskedPSN`): H = W_eff X + b, S = spike(H), with
 * W_eff = W ⊙ (λ·M_k + (1 − λ)·J), M_k[i][j] = 1 iff j ≤ i ≤ j + k − 1 and J all ones. λ goes
 * from 0 (a plain PSN) to 1 (each step sees only its last k inputs) during training, so it is a
 * scalar graph input fed per epoch (see `maskedPsnLambda`), not a constant that would force a
 * recompile. At λ = 1 the layer can also run step by step.
 */
const schema = z.strictObject({
  kind: z.literal('maskedPsn'),
  T: z.number().int().positive(),
  /** Order: how many of the latest inputs each step sees once λ = 1. */
  k: z.number().int().positive(),
  /**
   * `parallel`: one matmul, with the input `<scope>/lambda`; `step`: the λ = 1 neuron as a scan
   * whose carry is the last k inputs (no λ input). Both take the same params.
   */
  mode: z.enum(['parallel', 'step']).default('parallel'),
  ...psnSurrogateFields,
});

export type MaskedPsnSpec = Readonly<z.output<typeof schema>>;
export type MaskedPsnOptions = Partial<Omit<MaskedPsnSpec, 'kind' | 'T' | 'k'>>;

export function maskedPsn(T: number, k: number, options: MaskedPsnOptions = {}): MaskedPsnSpec {
  return validateLayerSpec(schema, { ...options, kind: 'maskedPsn', T, k });
}

/** The name of a masked PSN's λ input: `lambda` under the layer's scope, e.g. `maskedPsn1/lambda`. */
export function maskedPsnLambdaInput(scope: string): string {
  return scope === '' ? 'lambda' : `${scope}/lambda`;
}

/** The authors' schedule: λ = min(8·epoch/(epochs − 1), 1), so the mask is complete by 1/8 of training. */
export function maskedPsnLambda(epoch: number, epochs: number): number {
  if (!Number.isInteger(epochs) || epochs < 1) fail('attr', 'epochs', 'the number of epochs must be a positive integer', 'an integer >= 1', String(epochs));
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= epochs) fail('attr', 'epoch', 'the epoch must be an integer in [0, epochs)', `0 .. ${epochs - 1}`, String(epoch));
  // A single epoch is also the last, which must end fully masked (the formula would divide 0 by 0).
  return epochs === 1 ? 1 : Math.min((8 * epoch) / (epochs - 1), 1);
}

/** M_k in row-major order. */
export function maskedPsnMask(T: number, k: number): number[] {
  return Array.from({ length: T * T }, (_, n) => {
    const [i, j] = [Math.floor(n / T), n % T];
    return Number(j <= i && i <= j + k - 1);
  });
}

/** W ⊙ (λ·M_k + (1 − λ)·J); λ ≥ 1 counts as 1, as SpikingJelly switches to W ⊙ M_k there. */
export function maskedPsnWeight(b: GraphBuilder, w: Tensor, lambda: Tensor, k: number): Tensor {
  const T = w.shape[0]!;
  const lam = lambda.minimum(1);
  const mask = b.constant(maskedPsnMask(T, k), [T, T]);
  return w.mul(lam.mul(mask).add(lam.neg().add(1)));
}

/**
 * bands[t][i] = W[t][t − k + 1 + i], zero where that column is before 0: the entries M_k keeps,
 * one row of k per step. Built without a gather by skewing: pad each row with k − 1 zeros in
 * front, read the flat buffer as rows of T + k (each row starts one column later), keep k columns.
 */
export function maskedPsnBands(w: Tensor, k: number): Tensor {
  const T = w.shape[0]!;
  const flat = w.pad([[0, 0], [k - 1, 0]]).reshape([T * (T + k - 1)]).pad([[0, T]]);
  return flat.reshape([T, T + k]).slice([0, 0], [T, k]);
}

export function buildMaskedPsn(b: GraphBuilder, x: Tensor, spec: MaskedPsnSpec): Tensor {
  expectSteps(x, spec.T);
  const { w, bias } = psnParams(b, spec.T);
  const x2 = timeMajor(x);
  if (spec.mode === 'step') return windowScan(b, x2, maskedPsnBands(w, spec.k), bias, spec).reshape(x.shape);
  const path = b.path();
  const lambda = b.input(maskedPsnLambdaInput(path === '<root>' ? '' : path), []);
  return psnSpikes(psnCharge(maskedPsnWeight(b, w, lambda, spec.k), bias, x2), x, spec);
}

export const maskedPsnLayer: LayerDefinition<MaskedPsnSpec> = { schema, build: buildMaskedPsn };
