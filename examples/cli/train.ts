/** `spikeflow train <task|config.json> [--resume checkpoint]`: trains, writing metrics, plots and checkpoint per epoch. */
import { dirname } from 'node:path';
import { SpikeflowError } from '@spikeflow/core';
import { episodeActivity } from './activity.js';
import { ProgressBar } from './progress.js';
import { rasterSvg } from './raster.js';
import { configuredSpec, firstLine, readConfig, type RunConfig } from './run-config.js';
import { openCheckpoint, RunFiles } from './run-files.js';
import { openSession } from './session.js';
import { heldOutEpisode } from '@spikeflow/models';
import { UsageError } from './usage-error.js';

export interface TrainArgs {
  readonly source?: string;
  readonly resume?: string;
  readonly out?: string;
  readonly overrides: Partial<RunConfig>;
}

export async function trainCommand(args: TrainArgs): Promise<void> {
  if ((args.source === undefined) === (args.resume === undefined)) throw new UsageError('train needs a task or config.json, or --resume <checkpoint> (not both)');
  // Everything the user gave is checked before the first file is written.
  const saved = args.resume === undefined ? undefined : await openCheckpoint(args.resume);
  const base = saved?.config ?? (await readConfig(args.source!));
  const config: RunConfig = { ...base, ...args.overrides };
  if (saved !== undefined && saved.epoch >= config.epochs) throw new UsageError(`the checkpoint is already at epoch ${saved.epoch}: pass --epochs above ${saved.epoch}`);
  const dir = args.out ?? (args.resume === undefined ? 'spikeflow-run' : dirname(args.resume));
  const bar = new ProgressBar();
  let epoch = 0;
  const { trainer, info, device, split } = await openSession(config, (k, total) => bar.update(epoch, config.epochs, k, total));
  try {
    if (saved !== undefined) {
      try {
        await trainer.resume(saved.bytes);
      } catch (error) {
        if (error instanceof SpikeflowError) throw new UsageError(`${args.resume}: ${firstLine(error)}`);
        throw error;
      }
    }
    const files = await RunFiles.open(dir, config, args.resume === undefined ? undefined : { dir: dirname(args.resume), epoch: trainer.epoch });
    const spec = configuredSpec(config, info);
    const episode = heldOutEpisode(split);
    bar.line(`${info.name} on ${device}: epochs ${trainer.epoch + 1}..${config.epochs}, chance ${info.chance.value}, writing ${dir}`);
    while (trainer.epoch < config.epochs) {
      epoch = trainer.epoch + 1;
      const [m] = await trainer.runEpochs(1);
      const raster = rasterSvg(episodeActivity(spec, info, await trainer.params(), episode), info.steps, `spikeflow: ${config.task}, held-out episode after epoch ${m!.epoch}`);
      await files.record(m!, await trainer.checkpoint(), config.task, raster);
      bar.line(`epoch ${m!.epoch}/${config.epochs}: loss ${m!.loss.toFixed(4)}, held-out loss ${m!.testLoss!.toFixed(4)}, accuracy ${m!.testAccuracy!.toFixed(4)} (${(m!.ms / 1000).toFixed(1)} s)`);
    }
    console.log(JSON.stringify({ epoch: trainer.epoch, step: trainer.step, checkpoint: files.checkpointPath }));
  } finally {
    trainer.destroy();
  }
}
