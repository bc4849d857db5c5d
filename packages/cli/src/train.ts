/** `spikeflow train <task|config.json> [--resume checkpoint]`: trains, writing metrics, plots and checkpoint per epoch. */
import { dirname } from 'node:path';
import { SpikeflowError } from '@spikeflow/core';
import { rasterSpec } from '@spikeflow/plot';
import { episodeActivity } from './activity.js';
import { CompileProgressReporter } from './compile-progress.js';
import { ProgressBar } from './progress.js';
import { configuredModel, configuredSpec, firstLine, readConfig, type RunConfig } from './run-config.js';
import { openCheckpoint, RunFiles } from './run-files.js';
import type { BackendRequest } from './backend-choice.js';
import { openSession, type Session } from './session.js';
import { heldOutEpisode, scheduledInputs } from '@spikeflow/models';
import { loadTask } from './tasks.js';
import { UsageError } from './usage-error.js';

export interface TrainArgs {
  readonly source?: string;
  readonly resume?: string;
  readonly out?: string;
  readonly overwrite: boolean;
  readonly overrides: Partial<RunConfig>;
  /** The backend asked for; auto when absent. */
  readonly backend?: BackendRequest;
}

/** Where a run stands when training fails: what to tell the user so they can go on from the last checkpoint. */
interface Standing {
  readonly epoch: number;
  readonly epochs: number;
  /** The newest checkpoint on disk and its epoch, if any. */
  readonly checkpoint?: { readonly path: string; readonly epoch: number };
}

/** A failure mid-run as one line: what happened (a lost device said as such) and how to continue. */
function trainingFailure(error: unknown, session: Session, at: Standing): Error {
  const lost = session.lostError();
  const what = lost === undefined ? `training failed in epoch ${at.epoch}: ${firstLine(error)}` : `the GPU device was lost in epoch ${at.epoch} (${firstLine(lost)})`;
  const next =
    at.checkpoint === undefined
      ? 'no checkpoint was written; start the run again with --overwrite'
      : `the checkpoint of epoch ${at.checkpoint.epoch} is intact: continue with spikeflow train --resume ${at.checkpoint.path} --epochs ${at.epochs}`;
  return new Error(`${what}; ${next}`);
}

export async function trainCommand(args: TrainArgs): Promise<void> {
  if ((args.source === undefined) === (args.resume === undefined)) throw new UsageError('train needs a task or config.json, or --resume <checkpoint> (not both)');
  // Everything the user gave is checked before the first file is written or a device opened.
  const saved = args.resume === undefined ? undefined : await openCheckpoint(args.resume, 'resume');
  const base = saved?.config ?? (await readConfig(args.source!));
  const config: RunConfig = { ...base, ...args.overrides };
  if (saved !== undefined && saved.epoch >= config.epochs) throw new UsageError(`the checkpoint is already at epoch ${saved.epoch}: pass --epochs above ${saved.epoch}`);
  const task = await loadTask(config.task);
  const model = configuredModel(config, task.info); // a model that does not fit the task is one usage line, before the directory is taken
  const scheduled = scheduledInputs(model);
  if (saved !== undefined && scheduled.length > 0 && config.epochs !== saved.config.epochs) {
    // The schedule runs over the planned epochs: another plan would move it mid-run (even backwards).
    throw new UsageError(`--epochs: the model's '${scheduled[0]!.name}' is ${scheduled[0]!.what}, scheduled over the run's planned ${saved.config.epochs} epochs; a resumed run keeps that plan`);
  }
  const dir = args.out ?? (args.resume === undefined ? 'spikeflow-run' : dirname(args.resume));
  const resumed = args.resume === undefined || saved === undefined ? undefined : { dir: dirname(args.resume), epoch: saved.epoch };
  const files = await RunFiles.open({ dir, config, overwrite: args.overwrite, resumed, chance: task.info.chance });
  const bar = new ProgressBar();
  const compiling = new CompileProgressReporter();
  let epoch = 0;
  let session: Session;
  try {
    session = await openSession(config, { task, ...(args.backend === undefined ? {} : { backend: args.backend }), onBatch: (k, total) => bar.update(epoch, config.epochs, k, total), onCompileProgress: compiling.listener });
  } catch (error) {
    compiling.stopBar();
    await files.abandon();
    throw error;
  }
  const { trainer, info, device, split } = session;
  let checkpoint = resumed === undefined ? undefined : { path: args.resume!, epoch: resumed.epoch };
  try {
    if (saved !== undefined) {
      try {
        await trainer.resume(saved.bytes);
      } catch (error) {
        await files.abandon();
        if (error instanceof SpikeflowError && error.code === 'checkpoint') throw new UsageError(`${args.resume}: ${firstLine(error)}`);
        throw error;
      }
    }
    await files.begin();
    const spec = configuredSpec(config, info);
    const episode = heldOutEpisode(split);
    bar.line(`${info.name} on ${device}: epochs ${trainer.epoch + 1}..${config.epochs}, chance ${info.chance.value}, writing ${dir}`);
    while (trainer.epoch < config.epochs) {
      epoch = trainer.epoch + 1;
      try {
        const [m] = await trainer.runEpochs(1);
        const raster = rasterSpec(episodeActivity(spec, info, await trainer.params(), episode, { epoch: m!.epoch, epochs: config.epochs }), info.steps, `spikeflow: ${config.task}, held-out episode after epoch ${m!.epoch}`);
        await files.record(m!, await trainer.checkpoint(), raster);
        checkpoint = { path: files.checkpointPath, epoch: m!.epoch };
        bar.line(`epoch ${m!.epoch}/${config.epochs}: loss ${m!.loss.toFixed(4)}, held-out loss ${m!.testLoss!.toFixed(4)}, accuracy ${m!.testAccuracy!.toFixed(4)} (${(m!.ms / 1000).toFixed(1)} s)`);
      } catch (error) {
        throw trainingFailure(error, session, { epoch, epochs: config.epochs, checkpoint });
      }
    }
    console.log(JSON.stringify({ epoch: trainer.epoch, step: trainer.step, checkpoint: files.checkpointPath }));
  } finally {
    trainer.destroy();
  }
}
