import type { Trainer } from '@spikeflow/models';

/**
 * Runs `epochs` epochs one at a time and leaves the trainer in the whole state (params, optimizer
 * and running statistics) of the epoch with the highest validation accuracy, the first on ties:
 * the budget chosen on validation. `lastEpoch` reads the epoch just run (from the caller's curve).
 */
export async function runKeepingBestEpoch(
  trainer: Trainer,
  epochs: number,
  lastEpoch: () => { readonly epoch: number; readonly validationAccuracy: number },
): Promise<{ readonly epoch: number; readonly accuracy: number }> {
  let best: { epoch: number; accuracy: number; checkpoint: Uint8Array } | undefined;
  for (let e = 0; e < epochs; e++) {
    await trainer.runEpochs(1);
    const last = lastEpoch();
    if (best === undefined || last.validationAccuracy > best.accuracy) best = { epoch: last.epoch, accuracy: last.validationAccuracy, checkpoint: await trainer.checkpoint() };
  }
  if (best === undefined) throw new Error('runKeepingBestEpoch: needs at least one epoch');
  await trainer.resume(best.checkpoint);
  return { epoch: best.epoch, accuracy: best.accuracy };
}
