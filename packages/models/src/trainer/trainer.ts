import {
  fail,
  isTupleType,
  leafName,
  nodeAs,
  outputNode,
  toArray,
  type FeedValue,
  type Graph,
  type HostTensor,
  type Runner,
  type StepRunner,
  type TrainBackend,
} from '@spikeflow/core';
import { encodeCheckpoint } from '../checkpoint/format.js';
import { loadCheckpoint } from '../checkpoint/validate.js';
import { countCorrect } from '../losses/accuracy.js';
import { evaluationFeeds, trainingFeeds } from '../mode-inputs.js';
import { runningStatNames, runningStatsAsParams } from '../running-stats.js';
import { scheduledInputs, scheduleFeeds, type ScheduledInput } from '../schedule-inputs.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { UpdateSource } from '../learning/rule.js';
import { constantSchedule, type Schedule } from '../schedules/schedule.js';
import { LR_INPUT, slotStateName, trainingGraph } from '../training-graph.js';
import { SeededRng, type DataRng } from './data-rng.js';
import { DivergenceWatch, DIVERGENCE_FACTOR } from './divergence.js';
import { expectClassIndices, expectValidFeeds, feedRules, type FeedRules } from './feed-check.js';
import { describePoint, expectFiniteState, expectFiniteTensors, type RunPoint } from './state-check.js';

/**
 * One batch: values for the model's inputs by name; other fields (e.g. labels for accuracy only) are
 * not fed. The mode inputs (`training`, `randomStep`, see mode-inputs.ts) are the trainer's to feed,
 * and so are scheduled inputs (masked PSN's λ, see schedule-inputs.ts) that a batch does not give.
 */
export type Batch = Readonly<Record<string, FeedValue>>;
export type Batches = Iterable<Batch> | AsyncIterable<Batch>;

export interface TrainerData {
  /**
   * The training batches of one epoch (0-based). Shuffle with `rng` only: it is the trainer's
   * seeded generator, so the seed fixes the order and a checkpoint restores it.
   */
  readonly train: (rng: DataRng, epoch: number) => Batches;
  /** Held-out batches, evaluated after every epoch with the trained params. */
  readonly test?: () => Batches;
}

export interface TrainerOptions {
  readonly backend: TrainBackend;
  /** The model: its params are trained, one of its outputs is the loss. */
  readonly model: Graph;
  /** The model output to minimise (default `loss`). */
  readonly loss?: string;
  readonly optimizer: Optimizer;
  readonly data: TrainerData;
  /** The learning rate: a number, or a schedule evaluated at each epoch (or step, see `schedulePer`). */
  readonly schedule: Schedule | number;
  readonly schedulePer?: 'epoch' | 'step';
  /**
   * The run's planned epochs, for the model's inputs that follow a schedule over the run (masked
   * PSN's λ, see schedule-inputs.ts). Needed only by such a model, unless its batches feed them.
   */
  readonly epochs?: number;
  /** Seeds the params' initializers and the data generator (default 0). */
  readonly seed?: number;
  /** Report accuracy on held-out data: argmax of the output `scores` [B, C] against the batch field `labels`. */
  readonly accuracy?: { readonly scores: string; readonly labels: string };
  /** Called after every epoch; awaited, so it may write a checkpoint. */
  readonly onMetric?: (metrics: EpochMetrics, trainer: Trainer) => void | Promise<void>;
  /** Read the loss back every this many steps (default 1); the other steps are not waited for. */
  readonly lossEvery?: number;
  /** The params to train (default every f32 param). */
  readonly wrt?: readonly string[];
  /** BPTT checkpointing interval, as trainingGraph takes it. */
  readonly checkpointEvery?: number;
  /** An online learning rule in place of BPTT (e.g. `eprop(network)`), as trainingGraph takes it. */
  readonly rule?: UpdateSource;
  /**
   * Non-finite detection, on by default: every fed f32 input is scanned for NaN and infinities
   * before its step, every loss read back must be finite, and the trained params and their
   * optimizer slots are checked after every epoch (on WebGPU by a count on the device, of which
   * only the counts are read back). Training stops with an error naming the input and element, or
   * the first non-finite param and the step. `false` turns these off; labels are still checked
   * against the class count, and a checkpoint holding NaN is still neither written nor resumed.
   */
  readonly checkFinite?: boolean;
  /** With `checkFinite`, also check the params every this many steps (default: after each epoch only). */
  readonly finiteCheckEvery?: number;
  /** Warn (once) when a loss read back exceeds this many times the first one read (default 10). */
  readonly divergenceFactor?: number;
  /** Where warnings go (default console.warn). */
  readonly onWarning?: (message: string) => void;
}

export interface EvalMetrics {
  /** Mean loss over the held-out batches. */
  readonly loss: number;
  readonly accuracy?: number;
}

export interface EpochMetrics {
  /** Epochs completed, this one included. */
  readonly epoch: number;
  /** Optimizer steps taken so far. */
  readonly step: number;
  /** The learning rate of the epoch's last step. */
  readonly lr: number;
  /** Mean training loss over the steps whose loss was read. */
  readonly loss: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
  /** Wall time of the epoch, evaluation included. */
  readonly ms: number;
}


/** The fields of a batch that the graph takes as inputs. */
function feedsFor(batch: Batch, inputs: ReadonlySet<string>): Record<string, FeedValue> {
  return Object.fromEntries(Object.entries(batch).filter(([name]) => inputs.has(name)));
}

/** What the trainer checks its feeds and state against (see TrainerOptions.checkFinite). */
interface Checks {
  /** Whether NaN and infinities are looked for in feeds, losses and params. */
  readonly finite: boolean;
  readonly train: FeedRules;
  readonly model: FeedRules;
  /** The state checked for non-finite values: each trained param, then its optimizer slots. */
  readonly state: readonly string[];
  readonly divergence: DivergenceWatch;
}

/** The inputs of each graph the trainer runs that it feeds from a schedule (see schedule-inputs.ts). */
interface Scheduled {
  readonly train: readonly ScheduledInput[];
  readonly model: readonly ScheduledInput[];
}

function expectCount(where: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) fail('attr', where, `must be an integer >= ${min}`, `an integer >= ${min}`, String(value));
}

/**
 * Trains a model on one backend. The training graph (forward, backward and optimizer update) is
 * built and compiled once; each batch is one step fed with the scheduled learning rate. After
 * each epoch the held-out data runs through the forward graph (compiled once, separately) with
 * the current trained params read from the step's state. A checkpoint holds the whole run (state,
 * counters, generator position), so a resumed trainer continues the same run exactly.
 *
 * A model with mode inputs (dropout) gets training = 1 and randomStep = the step counter on each
 * step, so every step draws new masks and a resumed run (its counter restored) draws the same ones,
 * and training = 0 in `evaluate`.
 */
export class Trainer {
  private epochCount = 0;
  private stepCount = 0;
  private busy = false;
  private evalRunner: Runner | undefined;
  /** The step of the last param check that found every value finite (0: none yet). */
  private lastFiniteStep = 0;

  private constructor(
    private readonly options: TrainerOptions,
    private readonly schedule: Schedule,
    /** The compiled training graph (see trainingGraph). */
    readonly trainGraph: Graph,
    private readonly stepRunner: StepRunner,
    private readonly rng: SeededRng,
    private readonly trainInputs: ReadonlySet<string>,
    private readonly modelInputs: ReadonlySet<string>,
    /** The model params trained (state of the training graph). */
    readonly trained: readonly string[],
    private readonly checks: Checks,
    private readonly scheduled: Scheduled,
  ) {}

  static async create(options: TrainerOptions): Promise<Trainer> {
    const { model, seed = 0, loss = 'loss', accuracy } = options;
    expectCount('lossEvery', options.lossEvery ?? 1, 1);
    if (options.epochs !== undefined) expectCount('epochs', options.epochs, 0);
    if (options.finiteCheckEvery !== undefined) expectCount('finiteCheckEvery', options.finiteCheckEvery, 1);
    const divergence = new DivergenceWatch(options.divergenceFactor ?? DIVERGENCE_FACTOR, options.onWarning ?? ((message) => console.warn(message)));
    const schedule = typeof options.schedule === 'number' ? constantSchedule(options.schedule) : options.schedule;
    if (accuracy !== undefined && !model.outputs.some((o) => o.name === accuracy.scores)) {
      fail('interface', 'accuracy.scores', `the model has no output named '${accuracy.scores}'`, model.outputs.map((o) => o.name).join(', '), accuracy.scores);
    }
    const rng = new SeededRng(seed);
    const trainGraph = trainingGraph(model, { loss, optimizer: options.optimizer, wrt: options.wrt, checkpointEvery: options.checkpointEvery, rule: options.rule });
    const stateNames = new Set(trainGraph.state.map((s) => leafName(trainGraph.nodes[s.node]!)));
    const trained = model.params.map((id) => leafName(model.nodes[id]!)).filter((name) => stateNames.has(name));
    const stepRunner = await options.backend.compileTrainStep(trainGraph, { seed, loss });
    const trainInputs = new Set(trainGraph.inputs.map((id) => leafName(trainGraph.nodes[id]!)).filter((name) => name !== LR_INPUT));
    const modelInputs = new Set(model.inputs.map((id) => leafName(model.nodes[id]!)));
    const state = model.params
      .map((id) => nodeAs(model, id, 'param').attrs)
      .filter(({ name }) => stateNames.has(name))
      .flatMap((param) => [param.name, ...options.optimizer.slots(param).map((slot) => slotStateName(param.name, slot.name))]);
    const checks: Checks = { finite: options.checkFinite ?? true, train: feedRules(trainGraph), model: feedRules(model), state, divergence };
    const scheduled: Scheduled = { train: scheduledInputs(trainGraph), model: scheduledInputs(model) };
    return new Trainer(options, schedule, trainGraph, stepRunner, rng, trainInputs, modelInputs, trained, checks, scheduled);
  }

  get epoch(): number {
    return this.epochCount;
  }

  get step(): number {
    return this.stepCount;
  }

  get seed(): number {
    return this.options.seed ?? 0;
  }

  /** Runs `count` more epochs; resolves to their metrics. */
  async runEpochs(count: number): Promise<EpochMetrics[]> {
    expectCount('epochs', count, 0);
    return this.exclusive(async () => {
      const history: EpochMetrics[] = [];
      for (let e = 0; e < count; e++) {
        const metrics = await this.runEpoch();
        history.push(metrics);
        await this.options.onMetric?.(metrics, this);
      }
      return history;
    });
  }

  private async runEpoch(): Promise<EpochMetrics> {
    const start = performance.now();
    const { schedulePer = 'epoch', lossEvery = 1 } = this.options;
    let lr = Number.NaN;
    let lossSum = 0;
    let lossReads = 0;
    let k = 0;
    const { finite } = this.checks;
    const every = this.options.finiteCheckEvery;
    for await (const batch of this.options.data.train(this.rng, this.epochCount)) {
      lr = lrOf(this.schedule, schedulePer === 'step' ? this.stepCount : this.epochCount);
      const at: RunPoint = { step: this.stepCount + 1, epoch: this.epochCount + 1 };
      const fed = feedsFor(batch, this.trainInputs);
      expectValidFeeds(fed, this.checks.train, describePoint(at), finite);
      const scheduled = scheduleFeeds(this.scheduled.train, this.epochCount, this.options.epochs, new Set(Object.keys(fed)));
      const feeds = { ...fed, ...scheduled, ...trainingFeeds(this.trainGraph, this.stepCount), [LR_INPUT]: lr };
      if (k % lossEvery === 0) {
        const loss = await this.stepRunner.stepWithLoss(feeds);
        this.stepCount++;
        await this.observeLoss(loss, at);
        lossSum += loss;
        lossReads++;
      } else {
        this.stepRunner.step(feeds);
        this.stepCount++;
      }
      k++;
      if (finite && every !== undefined && this.stepCount % every === 0) await this.expectFiniteParams(at);
    }
    if (k === 0) fail('feed', 'data.train', `epoch ${this.epochCount} produced no batches`, 'at least one batch', 'none');
    if (finite && this.lastFiniteStep !== this.stepCount) await this.expectFiniteParams({ step: this.stepCount, epoch: this.epochCount + 1 });
    this.epochCount++;
    const test = this.options.data.test === undefined ? undefined : await this.evaluate(this.options.data.test());
    return {
      epoch: this.epochCount,
      step: this.stepCount,
      lr,
      loss: lossSum / lossReads,
      ...(test === undefined ? {} : { testLoss: test.loss, ...(test.accuracy === undefined ? {} : { testAccuracy: test.accuracy }) }),
      ms: performance.now() - start,
    };
  }

  /** Stops on a non-finite loss (naming the first non-finite param, if any); warns when the loss diverges. */
  private async observeLoss(loss: number, at: RunPoint): Promise<void> {
    if (this.checks.finite && !Number.isFinite(loss)) {
      await this.expectFiniteParams(at);
      fail('nan', 'loss', `training stopped: the loss is ${loss} at ${describePoint(at)}, though every param is still finite; check the loss for a log or a division at zero`, 'a finite loss', String(loss));
    }
    this.checks.divergence.observe(loss, at);
  }

  /** Stops when a trained param or optimizer slot holds NaN or an infinity, naming the first and the step. */
  private async expectFiniteParams(at: RunPoint): Promise<void> {
    await expectFiniteState(this.stepRunner, this.checks.state, at, this.lastFiniteStep);
    this.lastFiniteStep = at.step;
  }

  /**
   * Mean loss (and accuracy, when configured) of the model over `batches`, with the current trained
   * params, or with `params` in place of the trained params it names (an average of snapshots, say),
   * for this call only; training is untouched.
   */
  async evaluate(batches: Batches, params?: Readonly<Record<string, HostTensor>>): Promise<EvalMetrics> {
    const { loss = 'loss', accuracy } = this.options;
    // Running statistics (batch norm) are state the training steps update; the evaluated model reads them as params.
    this.evalRunner ??= await this.options.backend.compile(runningStatsAsParams(this.options.model), { seed: this.seed });
    const runner = this.evalRunner;
    // Only trained params may be replaced: the rest are never reset, so a replacement would outlive this call.
    for (const name of Object.keys(params ?? {})) if (!this.trained.includes(name)) fail('feed', `params.${name}`, 'only trained params can be replaced for an evaluation', this.trained.join(', '), name);
    runner.setParams({ ...(await this.stepRunner.readState([...this.trained, ...runningStatNames(this.options.model)])), ...params });
    let lossSum = 0;
    let count = 0;
    let correct = 0;
    let samples = 0;
    const classes = accuracy === undefined ? undefined : outputNode(this.options.model, accuracy.scores)!.type;
    for await (const batch of batches) {
      runner.resetState(); // each batch is an independent episode
      const fed = feedsFor(batch, this.modelInputs);
      expectValidFeeds(fed, this.checks.model, `held-out batch ${count + 1}`, this.checks.finite);
      // Scheduled inputs take the value of the last epoch trained: the one the params were trained with.
      const scheduled = scheduleFeeds(this.scheduled.model, Math.max(this.epochCount - 1, 0), this.options.epochs, new Set(Object.keys(fed)));
      const out = await runner.run({ ...fed, ...scheduled, ...evaluationFeeds(this.options.model) });
      lossSum += toArray(out[loss]!)[0]!;
      count++;
      if (accuracy !== undefined) {
        const labels = batch[accuracy.labels];
        if (labels === undefined || typeof labels === 'number') fail('feed', `batch.${accuracy.labels}`, 'accuracy needs one label per sample in every held-out batch', 'labels [B]', String(labels));
        if (classes !== undefined && !isTupleType(classes)) expectClassIndices(`batch.${accuracy.labels}`, labels, classes.shape[1]!, `held-out batch ${count}`);
        const scores = out[accuracy.scores]!;
        correct += countCorrect(scores, labels);
        samples += scores.type.shape[0]!;
      }
    }
    if (count === 0) fail('feed', 'data.test', 'the held-out data produced no batches', 'at least one batch', 'none');
    return { loss: lossSum / count, ...(accuracy === undefined ? {} : { accuracy: correct / samples }) };
  }

  /** The current values of the trained params, by name. */
  params(): Promise<Record<string, HostTensor>> {
    return this.stepRunner.readState(this.trained);
  }

  /** The whole run as checkpoint bytes: every state of the training graph, the counters and the generator's position. */
  async checkpoint(): Promise<Uint8Array> {
    return this.exclusive(async () => {
      const tensors = await this.stepRunner.readState();
      expectFiniteTensors(tensors, (name, found) =>
        fail('nan', name, `refusing to write a checkpoint of a run whose state '${name}' is non-finite after step ${this.stepCount} (${this.epochCount} epochs done)`, 'finite values', found),
      );
      return encodeCheckpoint({ progress: { epoch: this.epochCount, step: this.stepCount, seed: this.seed, rng: this.rng.state }, tensors });
    });
  }

  /**
   * Continues the run a checkpoint holds. Everything is checked first (format, version, every
   * tensor against the training graph, the seed), so a rejected checkpoint changes nothing.
   */
  async resume(bytes: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      const { progress, tensors } = loadCheckpoint(bytes, this.trainGraph);
      if (progress.seed !== this.seed) {
        fail('checkpoint', 'progress.seed', 'the checkpoint comes from a run with another seed (it fixed the untrained params)', String(this.seed), String(progress.seed));
      }
      expectFiniteTensors(tensors, (name, found) => fail('checkpoint', `tensors.${name}`, 'the checkpoint holds non-finite values: resuming would train on NaN', 'finite values', found));
      this.stepRunner.setState(tensors);
      this.lastFiniteStep = progress.step;
      this.rng.restore(progress.rng);
      this.epochCount = progress.epoch;
      this.stepCount = progress.step;
    });
  }

  destroy(): void {
    this.stepRunner.destroy();
    this.evalRunner?.destroy();
  }

  /** Epochs, checkpoints and resumes do not interleave: a checkpoint is taken between steps of the same run. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) fail('interface', 'trainer', 'the trainer is busy: await the running epochs, checkpoint or resume first');
    this.busy = true;
    try {
      return await fn();
    } finally {
      this.busy = false;
    }
  }
}

/** The learning rate the schedule gives at count t, rejected (naming the schedule) unless finite and >= 0. */
function lrOf(schedule: Schedule, t: number): number {
  const lr = schedule(t);
  if (!Number.isFinite(lr) || lr < 0) fail('attr', 'schedule', `the learning rate at ${t} is not a finite number >= 0`, 'a number >= 0', String(lr));
  return lr;
}

export interface TrainOptions extends TrainerOptions {
  /** The run's total epochs; a resumed run trains the epochs the checkpoint has not done. */
  readonly epochs: number;
  /** Checkpoint bytes to continue from. */
  readonly resume?: Uint8Array;
}

export interface TrainResult {
  readonly trainer: Trainer;
  /** The metrics of the epochs this call ran. */
  readonly history: EpochMetrics[];
}

/** Creates a trainer (resuming it when asked) and runs it to `epochs`. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const trainer = await Trainer.create(options);
  try {
    if (options.resume !== undefined) await trainer.resume(options.resume);
    if (options.epochs < trainer.epoch) fail('attr', 'epochs', 'the checkpoint is past the requested number of epochs', `at least ${trainer.epoch}`, String(options.epochs));
    return { trainer, history: await trainer.runEpochs(options.epochs - trainer.epoch) };
  } catch (error) {
    trainer.destroy();
    throw error;
  }
}
