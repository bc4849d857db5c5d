import { expectCount, expectScheduleParam, type Schedule } from './schedule.js';

/** eta_min + (lr - eta_min)(1 + cos(pi * progress)) / 2: lr at progress 0, eta_min at 1. */
function cosineAt(lr: number, etaMin: number, progress: number): number {
  return etaMin + ((lr - etaMin) * (1 + Math.cos(Math.PI * progress))) / 2;
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR in its closed form,
 * eta_min + (lr - eta_min)(1 + cos(pi t / tMax)) / 2. Past tMax it rises again along the same
 * cosine (period 2 tMax), as PyTorch's recursive update does when nothing else edits the lr.
 */
export function cosineAnnealing(lr: number, options: { readonly tMax: number; readonly etaMin?: number }): Schedule {
  const { tMax, etaMin = 0 } = options;
  expectScheduleParam('cosineAnnealing.lr', lr, (v) => v >= 0, 'a number >= 0');
  expectScheduleParam('cosineAnnealing.tMax', tMax, (v) => Number.isInteger(v) && v > 0, 'an integer > 0');
  expectScheduleParam('cosineAnnealing.etaMin', etaMin, (v) => v >= 0 && v <= lr, `a number in [0, ${lr}]`);
  return (t) => {
    expectCount('cosineAnnealing', t);
    return cosineAt(lr, etaMin, t / tMax);
  };
}

/**
 * Linear warmup then cosine decay, as transformers' get_cosine_schedule_with_warmup (with an
 * optional floor): lr * t / warmup while t < warmup, then the cosine from lr at t = warmup down
 * to eta_min at t = total. Past total it stays at eta_min, where transformers' cosine would rise
 * again: a run that outlasts its plan should not heat up.
 */
export function warmupCosine(lr: number, options: { readonly warmup: number; readonly total: number; readonly etaMin?: number }): Schedule {
  const { warmup, total, etaMin = 0 } = options;
  expectScheduleParam('warmupCosine.lr', lr, (v) => v >= 0, 'a number >= 0');
  expectScheduleParam('warmupCosine.warmup', warmup, (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  expectScheduleParam('warmupCosine.total', total, (v) => Number.isInteger(v) && v > warmup, `an integer > warmup (${warmup})`);
  expectScheduleParam('warmupCosine.etaMin', etaMin, (v) => v >= 0 && v <= lr, `a number in [0, ${lr}]`);
  return (t) => {
    expectCount('warmupCosine', t);
    if (t < warmup) return (lr * t) / warmup;
    return cosineAt(lr, etaMin, Math.min(1, (t - warmup) / (total - warmup)));
  };
}
