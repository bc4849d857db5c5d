import { fail } from '@spikeflow/core';
import { expectHyperparameter, withWeightDecay, type Optimizer } from './optimizer.js';

export interface SgdOptions {
  readonly momentum?: number;
  readonly dampening?: number;
  readonly nesterov?: boolean;
  /** Coupled (L2) weight decay, added to the gradient. */
  readonly weightDecay?: number;
}

/**
 * torch.optim.SGD: g = grad + wd*p; with momentum, buf = g on the first step, else
 * buf = momentum*buf + (1 - dampening)*g, and g = nesterov ? g + momentum*buf : buf; p -= lr*g.
 */
export function sgd(options: SgdOptions = {}): Optimizer {
  const { momentum = 0, dampening = 0, nesterov = false, weightDecay = 0 } = options;
  expectHyperparameter('sgd.momentum', momentum, 0, Infinity);
  expectHyperparameter('sgd.dampening', dampening, 0, 1, true);
  expectHyperparameter('sgd.weightDecay', weightDecay, 0, Infinity);
  if (nesterov && (momentum === 0 || dampening !== 0)) {
    fail('attr', 'sgd.nesterov', 'Nesterov momentum needs a momentum and no dampening', 'momentum > 0, dampening 0', `momentum ${momentum}, dampening ${dampening}`);
  }
  return {
    name: 'sgd',
    slots: () => (momentum === 0 ? [] : [{ name: 'momentum', init: { kind: 'zeros' } }]),
    update: (b, { param, grad, slots, step, lr }) => {
      const g = withWeightDecay(grad, param, weightDecay);
      if (momentum === 0) return { param: param.sub(lr.mul(g)), slots: [] };
      const damped = dampening === 0 ? g : g.mul(1 - dampening);
      // PyTorch seeds the buffer with the first gradient itself, undamped.
      const buf = b.where(step.equal(1), g, slots[0]!.mul(momentum).add(damped));
      const direction = nesterov ? g.add(buf.mul(momentum)) : buf;
      return { param: param.sub(lr.mul(direction)), slots: [buf] };
    },
  };
}
