import { fail, formatShape, type Tensor } from '@spikeflow/core';

export interface A2cLossOptions {
  /** Weight of the value (critic) loss (default 0.5). */
  readonly valueCoef?: number;
  /** Weight of the entropy bonus (default 0.01). */
  readonly entropyCoef?: number;
}

export interface A2cLossParts {
  /** policy + valueCoef·value − entropyCoef·entropy: the scalar to minimise. */
  readonly loss: Tensor;
  /** −mean_b log π(a_b|s_b)·(R_b − V_b), the advantage held constant. */
  readonly policy: Tensor;
  /** mean_b (R_b − V_b)². */
  readonly value: Tensor;
  /** mean_b of −Σ_a π(a|s_b) log π(a|s_b). */
  readonly entropy: Tensor;
}

/**
 * The advantage actor-critic loss (A2C; Mnih et al. 2016 without the asynchrony) as graph ops, so
 * a model that outputs it trains with `trainingGraph` / the `Trainer`. Inputs are tensors of one
 * batch of B steps: policy `logits` [B, A], critic `values` [B], the `actions` taken (i32 [B]) and
 * their discounted `returns` [B] (see `discountedReturns`). The advantage R − V goes through
 * `stopGradient` in the policy term, so the actor's gradient does not move the critic; log π is
 * computed as logits − logsumexp(logits) with the row maximum subtracted first.
 */
export function a2cLoss(logits: Tensor, values: Tensor, actions: Tensor, returns: Tensor, options: A2cLossOptions = {}): A2cLossParts {
  const b = logits.builder;
  const { valueCoef = 0.5, entropyCoef = 0.01 } = options;
  return b.scope('a2c', () => {
    if (logits.rank !== 2) fail('shape', b.path(), 'the logits must be [batch, actions]', '[B, A]', formatShape(logits.shape));
    const batch = logits.shape[0]!;
    for (const [name, t] of [['values', values], ['actions', actions], ['returns', returns]] as const) {
      if (t.rank !== 1 || t.shape[0] !== batch) fail('shape', `${b.path()}.${name}`, `${name} must be [batch]`, `[${batch}]`, formatShape(t.shape));
    }
    if (actions.dtype !== 'i32') fail('dtype', `${b.path()}.actions`, 'actions must be integer indices', 'i32', actions.dtype);
    const shifted = logits.sub(logits.max(-1, true).stopGradient());
    const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
    const taken = logProbs.mul(actions.oneHot(logits.shape[1]!)).sum(-1);
    const advantage = returns.sub(values).stopGradient();
    const policy = taken.mul(advantage).mean().neg();
    const error = returns.sub(values);
    const value = error.mul(error).mean();
    const entropy = logProbs.exp().mul(logProbs).sum(-1).mean().neg();
    const loss = policy.add(value.mul(valueCoef)).sub(entropy.mul(entropyCoef));
    return { loss, policy, value, entropy };
  });
}
