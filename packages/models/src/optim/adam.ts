import type { GraphBuilder, Tensor } from '@spikeflow/core';
import { expectHyperparameter, expectPositiveGuard, withWeightDecay, type Optimizer } from './optimizer.js';

export interface AdamOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Adam: coupled (L2, added to the gradient); AdamW: decoupled (applied to the weights). */
  readonly weightDecay?: number;
}

/**
 * 1 - beta^t, as -expm1(t ln beta). In f32, 1 - pow(beta, t) cancels for beta near 1: f32(0.999)
 * alone puts 1 - beta off by 1.3e-5 relative (PyTorch computes this in f64 on the host). Small
 * |y| takes expm1's Taylor series (Horner, through y^9/9!: under 1e-9 relative for |y| <= 0.5);
 * larger |y| takes exp(y) - 1, which no longer cancels.
 */
function oneMinusPow(b: GraphBuilder, beta: number, t: Tensor): Tensor {
  if (beta === 0) return b.constant(1); // 0^t = 0 from the first step on
  const y = t.mul(Math.log(beta));
  const near = y.maximum(-0.5); // both branches run; keep the unused series finite
  let e = near.div(9).add(1);
  for (let k = 8; k >= 2; k--) e = near.div(k).mul(e).add(1);
  return b.where(y.greaterEqual(-0.5), near.mul(e), y.exp().sub(1)).neg();
}

/**
 * torch.optim.Adam / AdamW (amsgrad off): m = b1*m + (1-b1)*g, v = b2*v + (1-b2)*g^2,
 * p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). Adam uses g = grad + wd*p;
 * AdamW uses g = grad and first decays p *= 1 - lr*wd.
 */
function adamFamily(name: 'adam' | 'adamw', options: AdamOptions, decoupled: boolean, defaultDecay: number): Optimizer {
  const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = defaultDecay } = options;
  expectHyperparameter(`${name}.beta1`, beta1, 0, 1);
  expectHyperparameter(`${name}.beta2`, beta2, 0, 1);
  expectPositiveGuard(`${name}.eps`, eps);
  expectHyperparameter(`${name}.weightDecay`, weightDecay, 0, Infinity);
  // The bias corrections depend on t alone: build them once per training graph, not per param.
  const corrections = new WeakMap<Tensor, { c1: Tensor; sqrtC2: Tensor }>();
  return {
    name,
    slots: () => [
      { name: 'm', init: { kind: 'zeros' } },
      { name: 'v', init: { kind: 'zeros' } },
    ],
    update: (b, { param, grad, slots, step, lr }) => {
      let c = corrections.get(step);
      if (c === undefined) {
        c = { c1: oneMinusPow(b, beta1, step), sqrtC2: oneMinusPow(b, beta2, step).sqrt() };
        corrections.set(step, c);
      }
      const p = decoupled && weightDecay !== 0 ? param.mul(lr.mul(-weightDecay).add(1)) : param;
      const g = decoupled ? grad : withWeightDecay(grad, param, weightDecay);
      const m = slots[0]!.mul(beta1).add(g.mul(1 - beta1));
      const v = slots[1]!.mul(beta2).add(g.mul(g).mul(1 - beta2));
      const denom = v.sqrt().div(c.sqrtC2).add(eps);
      return { param: p.sub(m.div(denom).mul(lr.div(c.c1))), slots: [m, v] };
    },
  };
}

export function adam(options: AdamOptions = {}): Optimizer {
  return adamFamily('adam', options, false, 0);
}

/** AdamW with torch.optim.AdamW's default weight decay of 0.01. */
export function adamw(options: AdamOptions = {}): Optimizer {
  return adamFamily('adamw', options, true, 0.01);
}
