/** `spikeflow eval <checkpoint>`: held-out loss and accuracy of a checkpoint, as one JSON line. */
import { SpikeflowError } from '@spikeflow/core';
import { firstLine } from './run-config.js';
import { openCheckpoint } from './run-files.js';
import { openSession } from './session.js';
import { UsageError } from './usage-error.js';

export async function evalCommand(path: string | undefined): Promise<void> {
  if (path === undefined) throw new UsageError('eval needs a checkpoint file');
  const { bytes, config } = await openCheckpoint(path);
  const { trainer, data } = await openSession(config);
  try {
    try {
      await trainer.resume(bytes);
    } catch (error) {
      if (error instanceof SpikeflowError) throw new UsageError(`${path}: ${firstLine(error)}`);
      throw error;
    }
    const result = await trainer.evaluate(data.test!());
    console.log(JSON.stringify({ task: config.task, epoch: trainer.epoch, testLoss: result.loss, testAccuracy: result.accuracy }));
  } finally {
    trainer.destroy();
  }
}
