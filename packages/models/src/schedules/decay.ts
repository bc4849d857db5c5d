import { expectCount, expectScheduleParam, type Schedule } from './schedule.js';

/** torch.optim.lr_scheduler.StepLR: lr * gamma^floor(t / stepSize). */
export function stepDecay(lr: number, options: { readonly stepSize: number; readonly gamma?: number }): Schedule {
  const { stepSize, gamma = 0.1 } = options;
  expectScheduleParam('stepDecay.lr', lr, (v) => v >= 0, 'a number >= 0');
  expectScheduleParam('stepDecay.stepSize', stepSize, (v) => Number.isInteger(v) && v > 0, 'an integer > 0');
  expectScheduleParam('stepDecay.gamma', gamma, (v) => v > 0, 'a number > 0');
  return (t) => {
    expectCount('stepDecay', t);
    return lr * gamma ** Math.floor(t / stepSize);
  };
}

/** torch.optim.lr_scheduler.ExponentialLR: lr * gamma^t. */
export function exponentialDecay(lr: number, gamma: number): Schedule {
  expectScheduleParam('exponentialDecay.lr', lr, (v) => v >= 0, 'a number >= 0');
  expectScheduleParam('exponentialDecay.gamma', gamma, (v) => v > 0, 'a number > 0');
  return (t) => {
    expectCount('exponentialDecay', t);
    return lr * gamma ** t;
  };
}
