import { fail, leafName, outputNode, toArray, type FeedValue, type Graph, type HostTensor, type Runner, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { countCorrect } from '../losses/accuracy.js';
import { evaluationFeeds, trainingFeeds } from '../mode-inputs.js';
import type { Optimizer } from '../optim/optimizer.js';
import { runningStatsAsParams } from '../running-stats.js';
import { TaskRng } from '../tasks/task-rng.js';
import { SeededRng, type DataRng } from '../trainer/data-rng.js';
import { expectValidFeeds, feedRules, type FeedRules } from '../trainer/feed-check.js';
import type { Batch, EvalMetrics } from '../trainer/trainer.js';
import { LR_INPUT, trainingGraph } from '../training-graph.js';
import { float32Codec, type UpdateCodec } from './codec.js';
import { federatedAverage } from './fed-avg.js';
import { decodeUpload, encodeUpload, uploadBytes } from './upload.js';

/** One client: its private data and how much it counts in the average. */
export interface FederatedClient {
  /** n_k, its number of training samples: its weight in the average. */
  readonly samples: number;
  /** The batches of one pass over its data (`epoch` 0-based); shuffle with `rng` only, so the seed fixes the order. */
  readonly train: (rng: DataRng, epoch: number) => Iterable<Batch>;
}

export interface FederatedOptions {
  readonly backend: TrainBackend;
  /** The model every client trains a copy of; its f32 params are averaged. */
  readonly model: Graph;
  /** The model output to minimise (default `loss`). */
  readonly loss?: string;
  /** Each client's local optimizer; its slots (Adam's moments) stay on the client across rounds. */
  readonly optimizer: Optimizer;
  readonly lr: number;
  readonly clients: readonly FederatedClient[];
  /** τ: local optimizer steps each client takes between two averagings. */
  readonly localSteps: number;
  /** How clients send their params up (default float32, lossless). */
  readonly codec?: UpdateCodec;
  /**
   * Seeds the initial params (the same for every client, as a Trainer with this seed draws them),
   * client k's data generator (SeededRng(seed + k): one client sees what a Trainer would) and the
   * codec's stochastic rounding.
   */
  readonly seed?: number;
  /** Accuracy in `evaluate`: argmax of the output `scores` [B, C] against the batch field `labels`. */
  readonly accuracy?: { readonly scores: string; readonly labels: string };
}

/** What one round did and sent. */
export interface RoundRecord {
  /** Rounds completed, this one included. */
  readonly round: number;
  /** Mean training loss over every client's local steps of the round. */
  readonly loss: number;
  /** Bytes all clients sent up (their encoded params or changes). */
  readonly upBytes: number;
  /** Bytes the server sent down: the global params as float32 to every client, at the round's start. */
  readonly downBytes: number;
}

/** A client's position: its training-graph state (params, optimizer slots) between its turns, and its data. */
interface ClientState {
  state: Record<string, HostTensor>;
  steps: number;
  epoch: number;
  batches: Iterator<Batch> | undefined;
  readonly rng: SeededRng;
}

/**
 * Federated averaging of one model over K clients that run in turn in this process. A round: the
 * server broadcasts the global params (float32); each client loads them, takes τ local steps of
 * its optimizer on its own batches, and sends its params (or their change, compressed) up; the
 * server sets the global params to the clients' mean weighted by sample counts. All clients share
 * one compiled training step; each client's optimizer state waits on the host between its turns.
 */
export class FederatedTraining {
  private rounds = 0;
  private upTotal = 0;
  private downTotal = 0;
  private evalRunner: Runner | undefined;

  private constructor(
    private readonly options: FederatedOptions,
    private readonly trainGraph: Graph,
    private readonly runner: StepRunner,
    /** The averaged params, sorted by name. */
    readonly paramNames: readonly string[],
    private global: Record<string, HostTensor>,
    private readonly clients: ClientState[],
    private readonly rules: FeedRules,
    /** The training graph's data inputs (not the learning rate). */
    private readonly trainInputs: ReadonlySet<string>,
  ) {}

  static async create(options: FederatedOptions): Promise<FederatedTraining> {
    const { model, clients, localSteps, seed = 0, loss = 'loss' } = options;
    if (clients.length === 0) fail('attr', 'clients', 'a federation needs at least one client', 'at least one client', 'none');
    if (!Number.isInteger(localSteps) || localSteps < 1) fail('attr', 'localSteps', 'τ, the local steps per round, must be an integer >= 1', '>= 1', String(localSteps));
    if (!(options.lr >= 0 && Number.isFinite(options.lr))) fail('attr', 'lr', 'the learning rate must be a finite number >= 0', '>= 0', String(options.lr));
    clients.forEach((c, k) => {
      if (!Number.isInteger(c.samples) || c.samples < 1) fail('attr', `clients[${k}].samples`, "a client's sample count must be an integer >= 1", '>= 1', String(c.samples));
    });
    const trainGraph = trainingGraph(model, { loss, optimizer: options.optimizer });
    const stateNames = new Set(trainGraph.state.map((s) => leafName(trainGraph.nodes[s.node]!)));
    const paramNames = model.params.map((id) => leafName(model.nodes[id]!)).filter((name) => stateNames.has(name)).sort();
    const runner = await options.backend.compileTrainStep(trainGraph, { seed, loss });
    const initial = await runner.readState();
    const global = Object.fromEntries(paramNames.map((name) => [name, initial[name]!]));
    const states = clients.map((_, k) => ({ state: initial, steps: 0, epoch: 0, batches: undefined, rng: new SeededRng(seed + k) }));
    const trainInputs = new Set(trainGraph.inputs.map((id) => leafName(trainGraph.nodes[id]!)).filter((name) => name !== LR_INPUT));
    return new FederatedTraining(options, trainGraph, runner, paramNames, global, states, feedRules(trainGraph), trainInputs);
  }

  get round(): number {
    return this.rounds;
  }

  /** Bytes sent up and down over every round so far. */
  get bytes(): { readonly up: number; readonly down: number } {
    return { up: this.upTotal, down: this.downTotal };
  }

  /** The global params (a copy). */
  params(): Record<string, HostTensor> {
    return Object.fromEntries(Object.entries(this.global).map(([name, t]) => [name, { type: t.type, data: t.data.slice() }]));
  }

  /** Runs one round: broadcast, τ local steps per client, upload, weighted average. */
  async runRound(): Promise<RoundRecord> {
    const { clients, localSteps, codec = float32Codec(), seed = 0 } = this.options;
    const broadcast = encodeUpload(float32Codec(), this.paramNames, this.global, this.global, new TaskRng(seed));
    const received = decodeUpload(float32Codec(), this.paramNames, broadcast, this.global);
    const sent: { weight: number; params: Record<string, Float64Array> }[] = [];
    let upBytes = 0;
    let lossSum = 0;
    for (const [k, client] of this.clients.entries()) {
      this.runner.setState({ ...client.state, ...received });
      for (let s = 0; s < localSteps; s++) lossSum += await this.localStep(k, client);
      client.state = await this.runner.readState();
      const upload = encodeUpload(codec, this.paramNames, client.state, this.global, new TaskRng(seed, 1 + this.rounds * clients.length + k));
      upBytes += uploadBytes(upload);
      sent.push({ weight: clients[k]!.samples, params: decodeUpload(codec, this.paramNames, upload, this.global) });
    }
    this.global = federatedAverage(this.global, sent);
    this.rounds++;
    const downBytes = clients.length * uploadBytes(broadcast);
    this.upTotal += upBytes;
    this.downTotal += downBytes;
    return { round: this.rounds, loss: lossSum / (clients.length * localSteps), upBytes, downBytes };
  }

  /** One optimizer step of client k on its next batch (a new pass over its data when one ends); resolves to the loss. */
  private async localStep(k: number, client: ClientState): Promise<number> {
    let next = client.batches?.next();
    if (next === undefined || next.done) {
      if (client.batches !== undefined) client.epoch++;
      client.batches = this.options.clients[k]!.train(client.rng, client.epoch)[Symbol.iterator]();
      next = client.batches.next();
      if (next.done) fail('feed', `clients[${k}].train`, `pass ${client.epoch} produced no batches`, 'at least one batch', 'none');
    }
    const at = `client ${k}, local step ${client.steps + 1}, round ${this.rounds + 1}`;
    const fed = feedsFor(next.value, this.trainInputs);
    expectValidFeeds(fed, this.rules, at, true);
    const loss = await this.runner.stepWithLoss({ ...fed, ...trainingFeeds(this.trainGraph, client.steps), [LR_INPUT]: this.options.lr });
    client.steps++;
    if (!Number.isFinite(loss)) fail('nan', 'loss', `training stopped: the loss is ${loss} at ${at}`, 'a finite loss', String(loss));
    return loss;
  }

  /** Mean loss (and accuracy, when configured) of the model with the global params over `batches`. */
  async evaluate(batches: Iterable<Batch>): Promise<EvalMetrics> {
    const { model, loss = 'loss', accuracy } = this.options;
    this.evalRunner ??= await this.options.backend.compile(runningStatsAsParams(model), { seed: this.options.seed ?? 0 });
    this.evalRunner.setParams(this.global);
    const inputs = new Set(model.inputs.map((id) => leafName(model.nodes[id]!)));
    if (accuracy !== undefined && outputNode(model, accuracy.scores) === undefined) fail('interface', 'accuracy.scores', `the model has no output named '${accuracy.scores}'`);
    let lossSum = 0;
    let count = 0;
    let correct = 0;
    let samples = 0;
    for (const batch of batches) {
      this.evalRunner.resetState(); // each batch is an independent episode
      const out = await this.evalRunner.run({ ...feedsFor(batch, inputs), ...evaluationFeeds(model) });
      lossSum += toArray(out[loss]!)[0]!;
      count++;
      if (accuracy === undefined) continue;
      const labels = batch[accuracy.labels];
      if (labels === undefined || typeof labels === 'number') fail('feed', `batch.${accuracy.labels}`, 'accuracy needs one label per sample in every held-out batch', 'labels [B]', String(labels));
      correct += countCorrect(out[accuracy.scores]!, labels as HostTensor);
      samples += out[accuracy.scores]!.type.shape[0]!;
    }
    if (count === 0) fail('feed', 'batches', 'the held-out data produced no batches', 'at least one batch', 'none');
    return { loss: lossSum / count, ...(accuracy === undefined ? {} : { accuracy: correct / samples }) };
  }

  destroy(): void {
    this.runner.destroy();
    this.evalRunner?.destroy();
  }
}

/** The fields of a batch that a graph takes as inputs (labels for accuracy only are not fed). */
function feedsFor(batch: Batch, inputs: ReadonlySet<string>): Record<string, FeedValue> {
  return Object.fromEntries(Object.entries(batch).filter(([name]) => inputs.has(name)));
}
