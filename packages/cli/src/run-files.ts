/**
 * The files of a run directory: run.json (the resolved config), metrics.jsonl (one line per
 * epoch), curves.svg/.png (learning curves), raster.svg/.png (the spikes of a held-out episode
 * after the latest epoch) and checkpoint.spikeflow. A checkpoint's run.json sits beside it, which is how
 * eval and --resume find the model it belongs to; the checkpoint also records the run's
 * settings, so a run.json edited since is caught. run.json, the metrics and the checkpoint are
 * written atomically: a kill leaves the old file or the new one, never half of one.
 */
import { constants, existsSync } from 'node:fs';
import { access, mkdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { decodeCheckpoint, encodeCheckpoint, type Chance, type EpochMetrics } from '@spikeflow/models';
import { curvesSpec, type ChanceLevel, type PlotSpec } from '@spikeflow/plot';
import { writePlot } from '@spikeflow/plot/node';
import { fileErrorReason, readCheckpointFile, writeCheckpointFile, writeFileAtomically } from './checkpoint-file.js';
import { changedSetting, checkConfig, firstLine, runSettings, type RunConfig } from './run-config.js';
import { UsageError } from './usage-error.js';

export const CHECKPOINT_FILE = 'checkpoint.spikeflow';
const CONFIG_FILE = 'run.json';
const METRICS_FILE = 'metrics.jsonl';
/** Each plot is written twice: `<name>.svg` and `<name>.png`. */
const CURVES_PLOT = 'curves';
const RASTER_PLOT = 'raster';
/** The files that make a directory a run's: a new run does not go there unless told to replace it. */
const RUN_MARKERS = [CHECKPOINT_FILE, METRICS_FILE, CONFIG_FILE];
/** Removed by --overwrite, the checkpoint first: an old checkpoint must never sit beside a new run.json. */
const RUN_OUTPUTS = [CHECKPOINT_FILE, METRICS_FILE, ...[CURVES_PLOT, RASTER_PLOT].flatMap((p) => [`${p}.svg`, `${p}.png`])];

export type MetricsLine = Omit<EpochMetrics, 'ms'> & { readonly seconds: number };

/** What the CLI records in a checkpoint's meta: the settings the run trained with (all but epochs). */
interface CheckpointMeta {
  readonly run: Readonly<Record<string, unknown>>;
}

const isRecord = (v: unknown): v is Readonly<Record<string, unknown>> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The trainer's checkpoint with the run's settings added, so a resume can prove it continues them. */
export function withRunSettings(checkpoint: Uint8Array, config: RunConfig): Uint8Array {
  const meta: CheckpointMeta = { run: runSettings(config) };
  return encodeCheckpoint({ ...decodeCheckpoint(checkpoint), meta });
}

/**
 * The checkpoint's bytes, its epoch and the config of its run, or a UsageError naming what is
 * wrong. run.json must hold the settings the checkpoint was trained with (epochs aside); a
 * checkpoint that records none (not written by this CLI) can be evaluated but not resumed.
 */
export async function openCheckpoint(path: string, purpose: 'eval' | 'resume'): Promise<{ bytes: Uint8Array; epoch: number; config: RunConfig }> {
  if (!existsSync(path)) throw new UsageError(`checkpoint not found: ${path}`);
  let bytes: Uint8Array;
  try {
    bytes = await readCheckpointFile(path);
  } catch (error) {
    throw new UsageError(firstLine(error));
  }
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
  let decoded: ReturnType<typeof decodeCheckpoint>;
  try {
    decoded = decodeCheckpoint(bytes);
  } catch (error) {
    throw new UsageError(`${path}: ${firstLine(error)}`);
  }
  const recorded = isRecord(decoded.meta) && isRecord(decoded.meta.run) ? decoded.meta.run : undefined;
  if (recorded === undefined) {
    if (purpose === 'resume') throw new UsageError(`${path}: the checkpoint does not record the settings it was trained with, so ${configPath} cannot be checked against it; it cannot be resumed`);
  } else {
    const change = changedSetting(recorded, config);
    if (change !== undefined) {
      throw new UsageError(`${configPath}: ${change.field} is ${change.now}, but the checkpoint was trained with ${change.was} (a run keeps its settings; only epochs may change)`);
    }
  }
  return { bytes, epoch: decoded.progress.epoch, config };
}

/** A metrics line as this CLI writes it, enough of it to keep: an object with a whole epoch >= 1. */
function metricsLine(text: string): MetricsLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) && Number.isSafeInteger(value.epoch) && (value.epoch as number) >= 1 ? (value as unknown as MetricsLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The metrics of a run's epochs up to `epoch`. A last line that does not parse was torn by a kill
 * mid-write (by an older version: the file is now replaced atomically): it is dropped, and said
 * so. A bad line before it is an error naming the file and line.
 */
async function readHistory(dir: string, epoch: number): Promise<MetricsLine[]> {
  const path = join(dir, METRICS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsageError(`${path}: cannot read the metrics: ${fileErrorReason(error)}`);
  }
  const lines = text.split('\n').map((l, i) => ({ text: l, number: i + 1 })).filter((l) => l.text.trim() !== '');
  const history: MetricsLine[] = [];
  for (const [i, line] of lines.entries()) {
    const parsed = metricsLine(line.text);
    if (parsed !== undefined) history.push(parsed);
    else if (i === lines.length - 1) process.stderr.write(`spikeflow: ${path}:${line.number}: dropped a torn last line (a run killed while writing it)\n`);
    else throw new UsageError(`${path}:${line.number}: not a metrics line (a JSON object with an epoch)`);
  }
  return history.filter((m) => m.epoch <= epoch);
}

/**
 * Creates `dir` and any missing parents one at a time (not `mkdir -p`: Node's recursive mkdir
 * never returns under /proc), removing what it made if a later one fails. Returns what it made,
 * deepest last.
 */
async function makeDirectory(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let d = resolve(dir); ; d = dirname(d)) {
    const found = await stat(d).catch(() => undefined);
    if (found !== undefined) {
      if (!found.isDirectory()) throw new UsageError(`--out ${dir}: ${d} is a file, not a directory`);
      break;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  const made: string[] = [];
  try {
    for (const d of missing) {
      await mkdir(d);
      made.push(d);
    }
  } catch (error) {
    await removeDirectories(made);
    throw new UsageError(`--out ${dir}: cannot create the directory: ${fileErrorReason(error)}`);
  }
  return made;
}

/** Removes directories made for a run that did not start, deepest first (only while empty). */
async function removeDirectories(made: readonly string[]): Promise<void> {
  for (const d of [...made].reverse()) await rmdir(d).catch(() => undefined);
}

export interface RunDirOptions {
  readonly dir: string;
  readonly config: RunConfig;
  /** Replace the run `dir` holds instead of refusing it. */
  readonly overwrite: boolean;
  /** The run a checkpoint continues: its directory and the epoch its checkpoint holds. */
  readonly resumed?: { readonly dir: string; readonly epoch: number };
  /** The task's chance level, drawn as a line in the learning curves. */
  readonly chance?: Chance;
}

/** A task's chance level in the curves' words: an accuracy, or (for a regression) the loss of a guess. */
const chanceLevel = (chance: Chance | undefined): ChanceLevel | undefined =>
  chance === undefined ? undefined : { metric: chance.metric === 'mse' ? 'loss' : 'accuracy', value: chance.value };

export class RunFiles {
  private constructor(
    readonly dir: string,
    private readonly config: RunConfig,
    private readonly history: MetricsLine[],
    /** Files of another run that `begin` replaces. */
    private readonly replaces: boolean,
    /** Directories `open` made, which `abandon` removes. */
    private readonly made: readonly string[],
    private readonly chance: ChanceLevel | undefined,
  ) {}

  /**
   * Checks the run directory and creates it if missing, before any device work: a new run
   * refuses a directory that holds a run unless `overwrite`; a file, an unwritable or uncreatable
   * place is a UsageError. A resumed run keeps its metrics of the epochs the checkpoint holds
   * (later ones belonged to a continuation now redone). Nothing is written until `begin`.
   */
  static async open(options: RunDirOptions): Promise<RunFiles> {
    const { dir, config, resumed } = options;
    const history = resumed === undefined ? [] : await readHistory(resumed.dir, resumed.epoch);
    const sameRun = resumed !== undefined && resolve(resumed.dir) === resolve(dir);
    const found = await stat(dir).catch(() => undefined);
    if (found !== undefined && !found.isDirectory()) throw new UsageError(`--out ${dir}: a file, not a directory`);
    const held = found === undefined ? [] : (await Promise.all(RUN_MARKERS.map(async (f) => ((await stat(join(dir, f)).catch(() => undefined)) ? f : undefined)))).filter((f) => f !== undefined);
    if (held.length > 0 && !sameRun && !options.overwrite) {
      throw new UsageError(`--out ${dir} already holds a run (${held.join(', ')}): pass --overwrite to replace it, or --resume ${join(dir, CHECKPOINT_FILE)} to continue it`);
    }
    const made = found === undefined ? await makeDirectory(dir) : [];
    try {
      await access(dir, constants.W_OK);
    } catch (error) {
      await removeDirectories(made);
      throw new UsageError(`--out ${dir}: cannot write the run there: ${fileErrorReason(error)}`);
    }
    return new RunFiles(dir, config, history, held.length > 0 && !sameRun, made, chanceLevel(options.chance));
  }

  /** Takes the directory: removes a replaced run's files (its checkpoint first), writes run.json and the kept metrics. */
  async begin(): Promise<void> {
    try {
      if (this.replaces) for (const f of RUN_OUTPUTS) await unlink(join(this.dir, f)).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      await writeFileAtomically(join(this.dir, CONFIG_FILE), `${JSON.stringify(this.config, null, 2)}\n`);
    } catch (error) {
      throw new UsageError(`--out ${this.dir}: cannot write the run there: ${fileErrorReason(error)}`);
    }
    await this.writeMetrics();
  }

  /** Undoes `open` for a run that did not begin: removes the directories it made. */
  abandon(): Promise<void> {
    return removeDirectories(this.made);
  }

  get checkpointPath(): string {
    return join(this.dir, CHECKPOINT_FILE);
  }

  /** Appends an epoch, redraws the curves, replaces the raster (a plot spec, see @spikeflow/plot's rasterSpec) and the checkpoint (with the run's settings). */
  async record(metrics: EpochMetrics, checkpoint: Uint8Array, raster: PlotSpec): Promise<void> {
    const { ms, ...rest } = metrics;
    this.history.push({ ...rest, seconds: ms / 1000 });
    await this.writeMetrics();
    await writePlot(join(this.dir, RASTER_PLOT), raster);
    await writeCheckpointFile(this.checkpointPath, withRunSettings(checkpoint, this.config));
  }

  private async writeMetrics(): Promise<void> {
    await writeFileAtomically(join(this.dir, METRICS_FILE), this.history.map((m) => `${JSON.stringify(m)}\n`).join(''));
    if (this.history.length > 0) await writePlot(join(this.dir, CURVES_PLOT), curvesSpec(this.history, `spikeflow: ${this.config.task}`, this.chance));
  }
}
