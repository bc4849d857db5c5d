/**
 * DQN on cart-pole with a linear Q readout, on the spike counts of a liquid state machine or on the
 * raw observation (the control). Only the readout learns: the LSM graph (encoder + reservoir +
 * readout) runs once per environment step, the readout's DQN step (replay batch, target network,
 * Huber TD loss, Adam) is one compiled training graph; both on the host (`actingBackend`).
 */
import type { Runner, TrainBackend } from '@spikeflow/core';
import {
  CART_POLE,
  CartPole,
  DqnReadout,
  epsilonGreedy,
  greedyAction,
  linearEpsilon,
  liquidStateMachineGraph,
  LSM,
  ReplayBuffer,
  reservoirWeights,
  TaskRng,
  type Readout,
  type ReservoirOptions,
} from '@spikeflow/models';
import { actingBackend } from './acting-backend.js';

export type CartPoleFeatures = 'lsm' | 'raw';

export interface LsmCartPoleRun {
  readonly features: CartPoleFeatures;
  readonly seed: number;
  /** Reservoir connectivity (without `inputs`, which is 4 × fieldsPerDimension). */
  readonly reservoir: Omit<ReservoirOptions, 'inputs'>;
  readonly fieldsPerDimension: number;
  /** How the population code drives the reservoir: Bernoulli spikes or a constant current (`observationSpikes`). */
  readonly code: 'bernoulli' | 'current';
  /** Append the scaled raw observation (4 values) to the reservoir's rates as readout features. */
  readonly withObservation: boolean;
  /** Learner steps (replay batches) per joint environment step. */
  readonly updatesPerStep: number;
  /** Reservoir steps per environment step. */
  readonly reservoirSteps: number;
  readonly tau: number;
  readonly gamma: number;
  readonly lr: number;
  /** The learning rate decays linearly from `lr` after the warm-up to this at the end of the budget. */
  readonly lrEnd: number;
  readonly batch: number;
  readonly bufferCapacity: number;
  /** Environment steps of random actions before learning starts. */
  readonly warmupSteps: number;
  readonly targetUpdateSteps: number;
  /** Polyak-averaged target instead of copies every `targetUpdateSteps` (`DqnReadoutOptions.targetPolyak`). */
  readonly targetPolyak?: number;
  readonly epsilon: { readonly start: number; readonly end: number; readonly decaySteps: number };
  readonly huberDelta: number;
  /** Double DQN's targets instead of DQN's max (`QReadoutOptions.double`). */
  readonly doubleDqn: boolean;
  /** Cart-poles stepped side by side (one batched reservoir call and one learner step per joint step). */
  readonly parallelEnvs: number;
  /** The training budget in environment steps (all environments together). */
  readonly envSteps: number;
  /** Every so many environment steps, greedy validation episodes pick the readout kept. */
  readonly validateEvery: number;
  readonly validationEpisodes: number;
  readonly testEpisodes: number;
}

/** The ranges the population code tiles, per observation dimension (x, ẋ, θ, θ̇), and the raw control's scale. */
const RANGES = { low: [-2.4, -3, -0.21, -3.5], high: [2.4, 3, 0.21, 3.5] };

export interface EpisodePoint {
  readonly episode: number;
  readonly envSteps: number;
  readonly return: number;
}

export interface LsmCartPoleOutcome {
  readonly curve: readonly EpisodePoint[];
  readonly validation: readonly { readonly episode: number; readonly mean: number }[];
  readonly keptEpisode: number;
  readonly test: { readonly mean: number; readonly returns: readonly number[] };
  readonly envSteps: number;
  /** The first training episode whose trailing 100-episode mean return (ε-greedy) reached 475, if any. */
  readonly trainingSolvedAt: number | null;
  readonly meanFiringRate: number;
  readonly connections: { readonly input: number; readonly recurrent: number };
  readonly secondsPerEnvStep: number;
}

/** Seeds of the three disjoint episode streams. */
const stream = (seed: number, which: 'train' | 'validation' | 'test', k: number) => seed * 1_000_000 + { train: 0, validation: 600_000, test: 800_000 }[which] + k;

/** Maps observations [B × 4] to readout features and Q-values for the current readout. */
interface FeatureMap {
  readonly size: number;
  /** Features of each row, and Q; `fresh` rows start a new episode (their reservoir row is reset first). */
  features(observations: readonly (readonly number[])[], readout: Readout, fresh: readonly boolean[]): Promise<{ features: Float32Array[]; q: number[][] }>;
  firingRate(): number;
  /** Frees the compiled LSM graph, if any. */
  destroy(): void;
}

/** The raw observation divided by its range (the control's features). */
function scaledObservation(observation: readonly number[]): Float32Array {
  return Float32Array.from(observation, (v, i) => v / RANGES.high[i]!);
}

function rawFeatures(): FeatureMap {
  return {
    size: 4,
    firingRate: () => 0,
    destroy: () => {},
    features: async (observations, readout) => {
      const features = observations.map(scaledObservation);
      return { features, q: features.map((f) => hostQ(f, readout)) };
    },
  };
}

async function lsmFeatures(backend: TrainBackend, run: LsmCartPoleRun, batch: number): Promise<FeatureMap & { connections: { input: number; recurrent: number } }> {
  const weights = reservoirWeights({ ...run.reservoir, inputs: 4 * run.fieldsPerDimension }, run.seed);
  const graph = liquidStateMachineGraph({
    batch,
    observations: 4,
    actions: 2,
    weights,
    tau: run.tau,
    encoding: { ...RANGES, neurons: run.fieldsPerDimension, steps: run.reservoirSteps, code: run.code, seed: run.seed },
  });
  const runner: Runner = await backend.compile(graph, { seed: run.seed });
  const n = run.reservoir.neurons;
  const extra = run.withObservation ? 4 : 0;
  let counter = 0;
  let spikes = 0;
  let samples = 0;
  return {
    size: n + extra,
    connections: weights.connections,
    firingRate: () => spikes / Math.max(samples, 1),
    destroy: () => runner.destroy(),
    features: async (observations, readout, fresh) => {
      const out = await runner.run({ [LSM.observation]: observations.flat(), [LSM.fresh]: fresh.map(Number), [LSM.counter]: counter++ });
      const f = out[LSM.features]!.data as Float32Array;
      for (let i = 0; i < f.length; i++) spikes += f[i]!;
      samples += f.length;
      const features = observations.map((o, r) => {
        const row = new Float32Array(n + extra);
        row.set(f.subarray(r * n, (r + 1) * n));
        if (extra > 0) row.set(scaledObservation(o), n);
        return row;
      });
      return { features, q: features.map((row) => hostQ(row, readout)) };
    },
  };
}

/** Greedy episodes run side by side (one batched LSM call per step); returns each episode's return. */
async function greedyReturns(map: FeatureMap, readout: Readout, seeds: readonly number[]): Promise<number[]> {
  const envs = seeds.map(() => new CartPole());
  let observations = envs.map((env, i) => env.reset(seeds[i]!));
  const returns = seeds.map(() => 0);
  const running = seeds.map(() => true);
  let first = true;
  while (running.some((r) => r)) {
    const { q } = await map.features(observations, readout, seeds.map(() => first));
    first = false;
    observations = observations.map((o, i) => {
      if (!running[i]) return o;
      const r = envs[i]!.step(greedyAction(q[i]!));
      returns[i]! += r.reward;
      if (r.done || r.truncated) running[i] = false;
      return r.observation;
    });
  }
  return returns;
}

/** Q = f·W + b on the host, for the acting rows after a learner step changed the readout. */
function hostQ(features: Float32Array, readout: Readout): number[] {
  return [0, 1].map((a) => readout.b[a]! + features.reduce((acc, v, i) => acc + v * readout.w[i * 2 + a]!, 0));
}

/** What one run compiles: the acting, validation and test feature maps and the readout's learner. */
interface Compiled {
  readonly lsm: (FeatureMap & { connections: { input: number; recurrent: number } }) | undefined;
  readonly act: FeatureMap;
  readonly evaluator: FeatureMap;
  readonly tester: FeatureMap;
  readonly learner: DqnReadout;
}

export async function trainLsmCartPole(experimentBackend: TrainBackend, run: LsmCartPoleRun, log: (line: string) => void): Promise<LsmCartPoleOutcome> {
  const backend = actingBackend(experimentBackend);
  const made: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(x: T): T => (made.push(x), x);
  try {
    const features = async (batch: number) => keep(run.features === 'lsm' ? await lsmFeatures(backend, run, batch) : rawFeatures());
    const lsm = run.features === 'lsm' ? keep(await lsmFeatures(backend, run, run.parallelEnvs)) : undefined;
    const act = lsm ?? rawFeatures();
    const evaluator = await features(run.validationEpisodes);
    const tester = await features(run.testEpisodes);
    const learner = keep(await DqnReadout.create(backend, { batch: run.batch, features: act.size, actions: 2, gamma: run.gamma, huberDelta: run.huberDelta, double: run.doubleDqn, targetUpdateSteps: run.targetUpdateSteps, ...(run.targetPolyak === undefined ? {} : { targetPolyak: run.targetPolyak }), seed: run.seed }));
    return await train({ lsm, act, evaluator, tester, learner }, run, log);
  } finally {
    // On wasm every compiled graph holds a worker pool and its memory.
    for (const x of made) x.destroy();
  }
}

async function train({ lsm, act, evaluator, tester, learner }: Compiled, run: LsmCartPoleRun, log: (line: string) => void): Promise<LsmCartPoleOutcome> {
  const buffer = new ReplayBuffer(run.bufferCapacity, act.size, run.seed);
  const rng = new TaskRng(run.seed, 3);
  let readout: Readout = learner.readout;
  let kept = { readout, episode: 0, mean: -Infinity };
  const curve: EpisodePoint[] = [];
  const validation: { episode: number; mean: number }[] = [];
  let envSteps = 0;
  let trainingSolvedAt: number | null = null;
  const started = performance.now();

  // E environments stepped side by side, ONE feature call per joint step. A row's transition waits
  // for the features of its next observation (the next call); a row that ended feeds its last
  // observation once more (for the bootstrap of a time-limit cut-off), then restarts with a fresh
  // reservoir row and the next training seed.
  interface Row {
    env: CartPole;
    observation: readonly number[];
    fresh: boolean;
    ending: boolean;
    pending?: { state: Float32Array; action: number; reward: number; done: boolean };
    total: number;
  }
  let episodesStarted = 0;
  const rows: Row[] = Array.from({ length: run.parallelEnvs }, () => {
    const env = new CartPole();
    return { env, observation: env.reset(stream(run.seed, 'train', ++episodesStarted)), fresh: true, ending: false, total: 0 };
  });
  let epsilon = 1;
  let stoppedEarly = false;
  while (envSteps < run.envSteps && !stoppedEarly) {
    const stepsBefore = envSteps;
    const out = await act.features(rows.map((r) => r.observation), readout, rows.map((r) => r.fresh));
    epsilon = envSteps < run.warmupSteps ? 1 : linearEpsilon(envSteps - run.warmupSteps, run.epsilon.start, run.epsilon.end, run.epsilon.decaySteps);
    rows.forEach((row, i) => {
      const features = out.features[i]!;
      if (row.pending) buffer.push({ ...row.pending, nextState: features }); // a cut-off is not terminal: done stays false
      row.pending = undefined;
      row.fresh = false;
      if (row.ending) {
        curve.push({ episode: curve.length + 1, envSteps, return: row.total });
        if (curve.length >= 100 && trainingSolvedAt === null && curve.slice(-100).reduce((a, p) => a + p.return, 0) / 100 >= 475) trainingSolvedAt = curve.length;
        row.observation = row.env.reset(stream(run.seed, 'train', ++episodesStarted));
        row.fresh = true;
        row.ending = false;
        row.total = 0;
        return;
      }
      const action = epsilonGreedy(hostQ(features, readout), epsilon, rng);
      const step = row.env.step(action);
      envSteps++;
      row.total += step.reward;
      row.pending = { state: features, action, reward: step.reward, done: step.done };
      row.observation = step.observation;
      row.ending = step.done || step.truncated;
    });
    for (let u = 0; u < run.updatesPerStep && envSteps >= run.warmupSteps && buffer.size > 0; u++) {
      const lr = run.lr + (run.lrEnd - run.lr) * Math.min(1, (envSteps - run.warmupSteps) / Math.max(run.envSteps - run.warmupSteps, 1));
      readout = await learner.update(buffer.sample(run.batch), lr);
    }
    const episodes = curve.length;
    const crossed = Math.floor(envSteps / run.validateEvery) > Math.floor(stepsBefore / run.validateEvery) || envSteps >= run.envSteps;
    if (crossed && envSteps >= run.warmupSteps) {
      const seeds = Array.from({ length: run.validationEpisodes }, (_, k) => stream(run.seed, 'validation', k));
      const returns = await greedyReturns(evaluator, readout, seeds);
      const mean = returns.reduce((a, v) => a + v, 0) / returns.length;
      validation.push({ episode: episodes, mean });
      if (mean > kept.mean) kept = { readout: { w: readout.w.slice(), b: readout.b.slice() }, episode: episodes, mean };
      // Every validation episode reached the 500-step cap: nothing left to select on, so training stops.
      if (mean >= CART_POLE.maxSteps) stoppedEarly = true;
      const last = curve.slice(-20);
      const recent = last.reduce((a, p) => a + p.return, 0) / Math.max(last.length, 1);
      log(`${run.features}: ${episodes} episodes, ${envSteps} env steps, ε ${epsilon.toFixed(2)}, training return (last 20) ${recent.toFixed(1)}, greedy validation ${mean.toFixed(1)}, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  const trainingSeconds = (performance.now() - started) / 1000;
  const testSeeds = Array.from({ length: run.testEpisodes }, (_, k) => stream(run.seed, 'test', k));
  const returns = await greedyReturns(tester, kept.readout, testSeeds);
  return {
    curve,
    validation,
    keptEpisode: kept.episode,
    test: { mean: returns.reduce((a, v) => a + v, 0) / returns.length, returns },
    envSteps,
    trainingSolvedAt,
    meanFiringRate: act.firingRate(),
    connections: lsm?.connections ?? { input: 0, recurrent: 0 },
    secondsPerEnvStep: trainingSeconds / Math.max(envSteps, 1),
  };
}
