/**
 * The files of a run directory: run.json (the resolved config), metrics.jsonl (one line per
 * epoch), curves.svg (learning curves), raster.svg (the spikes of a held-out episode after the
 * latest epoch) and checkpoint.spikeflow (written atomically). A checkpoint's run.json
 * sits beside it, which is how eval and --resume find the model it belongs to.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeCheckpoint, type EpochMetrics } from '@spikeflow/models';
import { readCheckpointFile, writeCheckpointFile } from '../node/checkpoint-file.js';
import { curvesSvg } from './plot.js';
import { checkConfig, firstLine, type RunConfig } from './run-config.js';
import { UsageError } from './usage-error.js';

export const CHECKPOINT_FILE = 'checkpoint.spikeflow';
const CONFIG_FILE = 'run.json';
const METRICS_FILE = 'metrics.jsonl';
const PLOT_FILE = 'curves.svg';
const RASTER_FILE = 'raster.svg';

export type MetricsLine = Omit<EpochMetrics, 'ms'> & { readonly seconds: number };

/** The checkpoint's bytes, its epoch and the config of its run, or a UsageError naming what is wrong. */
export async function openCheckpoint(path: string): Promise<{ bytes: Uint8Array; epoch: number; config: RunConfig }> {
  if (!existsSync(path)) throw new UsageError(`checkpoint not found: ${path}`);
  const configPath = join(dirname(path), CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(configPath, 'utf8');
  } catch {
    throw new UsageError(`no ${CONFIG_FILE} beside the checkpoint ${path} (it names the model and task)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${configPath}: malformed JSON: ${firstLine(error)}`);
  }
  const config = checkConfig(raw, configPath);
  const bytes = await readCheckpointFile(path);
  let epoch: number;
  try {
    epoch = decodeCheckpoint(bytes).progress.epoch;
  } catch (error) {
    throw new UsageError(`${path}: ${firstLine(error)}`);
  }
  return { bytes, epoch, config };
}

export class RunFiles {
  private constructor(
    readonly dir: string,
    private readonly history: MetricsLine[],
  ) {}

  /**
   * Creates the directory. A run resumed from the checkpoint in `resumed.dir` keeps that run's
   * metrics of the epochs the checkpoint holds (later ones belonged to a continuation now redone).
   */
  static async open(dir: string, config: RunConfig, resumed?: { readonly dir: string; readonly epoch: number }): Promise<RunFiles> {
    let history: MetricsLine[] = [];
    if (resumed !== undefined) {
      const old = await readFile(join(resumed.dir, METRICS_FILE), 'utf8').catch(() => '');
      history = old.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as MetricsLine).filter((m) => m.epoch <= resumed.epoch);
    }
    await mkdir(dir, { recursive: true });
    const files = new RunFiles(dir, history);
    await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
    await files.writeMetrics(config.task);
    return files;
  }

  get checkpointPath(): string {
    return join(this.dir, CHECKPOINT_FILE);
  }

  /** Appends an epoch, redraws the curves, replaces the raster (an SVG) and the checkpoint. */
  async record(metrics: EpochMetrics, checkpoint: Uint8Array, task: string, raster: string): Promise<void> {
    const { ms, ...rest } = metrics;
    this.history.push({ ...rest, seconds: ms / 1000 });
    await this.writeMetrics(task);
    await writeFile(join(this.dir, RASTER_FILE), raster);
    await writeCheckpointFile(this.checkpointPath, checkpoint);
  }

  private async writeMetrics(task: string): Promise<void> {
    await writeFile(join(this.dir, METRICS_FILE), this.history.map((m) => `${JSON.stringify(m)}\n`).join(''));
    if (this.history.length > 0) await writeFile(join(this.dir, PLOT_FILE), curvesSvg(this.history, `spikeflow: ${task}`));
  }
}
