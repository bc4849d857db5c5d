import { fail, formatShape, type Tensor } from '@spikeflow/core';

/**
 * DQN's temporal-difference targets y = r + γ·(1 − done)·max_a Q_target(s', a), held constant
 * (`stopGradient`): rewards and dones [B], the target network's `nextQ` [B, A].
 */
export function tdTargets(rewards: Tensor, dones: Tensor, nextQ: Tensor, gamma: number): Tensor {
  if (!(gamma >= 0 && gamma <= 1)) fail('attr', 'tdTargets.gamma', 'must lie in [0, 1]', '[0, 1]', String(gamma));
  const bootstrap = nextQ.max(-1).mul(dones.mul(-1).add(1)).mul(gamma);
  return rewards.add(bootstrap).stopGradient();
}

/**
 * Double DQN's targets (van Hasselt, Guez & Silver 2016) y = r + γ·(1 − done)·Q_target(s', a*),
 * a* = argmax_a Q_online(s', a): the online network picks the next action and the target network
 * values it, which reduces the upward bias of a max over noisy estimates. `onlineNextQ` and `targetNextQ` [B, A];
 * a tie in the online values averages the tied actions' target values. Held constant.
 */
export function doubleTdTargets(rewards: Tensor, dones: Tensor, onlineNextQ: Tensor, targetNextQ: Tensor, gamma: number): Tensor {
  if (!(gamma >= 0 && gamma <= 1)) fail('attr', 'doubleTdTargets.gamma', 'must lie in [0, 1]', '[0, 1]', String(gamma));
  if (onlineNextQ.rank !== 2 || formatShape(onlineNextQ.shape) !== formatShape(targetNextQ.shape)) {
    fail('shape', onlineNextQ.builder.path(), 'the online and target Q of the next states must both be [B, A]', '[B, A], [B, A]', `${formatShape(onlineNextQ.shape)}, ${formatShape(targetNextQ.shape)}`);
  }
  const online = onlineNextQ.stopGradient();
  const greedy = online.equal(online.max(-1, true)).cast('f32');
  const chosen = greedy.mul(targetNextQ).sum(-1).div(greedy.sum(-1));
  return rewards.add(chosen.mul(dones.mul(-1).add(1)).mul(gamma)).stopGradient();
}

/**
 * The TD loss of DQN: mean over the batch of the Huber loss (δ = `delta`) of Q(s, a) − y, with
 * Q [B, A], the actions taken (i32 [B]) and targets y [B]. Huber(d) = d²/2 for |d| ≤ δ, else
 * δ·(|d| − δ/2), written as q²/2 + δ·(|d| − q) with q = min(|d|, δ); `delta` = Infinity is the
 * halved squared error.
 */
export function tdLoss(q: Tensor, actions: Tensor, targets: Tensor, delta = 1): Tensor {
  const b = q.builder;
  return b.scope('tdLoss', () => {
    if (q.rank !== 2 || actions.rank !== 1 || targets.rank !== 1 || actions.shape[0] !== q.shape[0] || targets.shape[0] !== q.shape[0]) {
      fail('shape', b.path(), 'Q must be [B, A], actions and targets [B]', '[B, A], [B], [B]', `${formatShape(q.shape)}, ${formatShape(actions.shape)}, ${formatShape(targets.shape)}`);
    }
    if (!(delta > 0)) fail('attr', `${b.path()}.delta`, 'the Huber threshold must be positive', '> 0', String(delta));
    const taken = q.mul(actions.oneHot(q.shape[1]!)).sum(-1);
    const d = taken.sub(targets).abs();
    if (delta === Infinity) return d.mul(d).mul(0.5).mean();
    const quadratic = d.minimum(delta);
    return quadratic.mul(quadratic).mul(0.5).add(d.sub(quadratic).mul(delta)).mean();
  });
}
