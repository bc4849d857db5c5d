/** `spikeflow eval <checkpoint>`: held-out loss and accuracy of a checkpoint, as one JSON line. */
import { SpikeflowError } from '@spikeflow/core';
import { CompileProgressReporter } from './compile-progress.js';
import { firstLine } from './run-config.js';
import { openCheckpoint } from './run-files.js';
import type { BackendRequest } from './backend-choice.js';
import { openSession } from './session.js';
import { UsageError } from './usage-error.js';

export async function evalCommand(path: string | undefined, backend?: BackendRequest): Promise<void> {
  if (path === undefined) throw new UsageError('eval needs a checkpoint file');
  const { bytes, config } = await openCheckpoint(path, 'eval');
  const { trainer, data, lostError } = await openSession(config, { ...(backend === undefined ? {} : { backend }), onCompileProgress: new CompileProgressReporter().listener });
  try {
    try {
      await trainer.resume(bytes);
    } catch (error) {
      if (error instanceof SpikeflowError && error.code === 'checkpoint') throw new UsageError(`${path}: ${firstLine(error)}`);
      throw error;
    }
    let result: Awaited<ReturnType<typeof trainer.evaluate>>;
    try {
      result = await trainer.evaluate(data.test!());
    } catch (error) {
      const lost = lostError();
      throw lost === undefined ? error : new Error(`the GPU device was lost while evaluating (${firstLine(lost)}); run eval again`);
    }
    console.log(JSON.stringify({ task: config.task, epoch: trainer.epoch, testLoss: result.loss, testAccuracy: result.accuracy }));
  } finally {
    trainer.destroy();
  }
}
