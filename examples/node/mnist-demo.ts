/**
 * The main job: train a spiking network on real MNIST digits (rate-coded spikes) and report
 * held-out accuracy, on the backend chosen for this machine: WebGPU (dawn.node) on a hardware
 * GPU, the WebAssembly backend on all cores on a software adapter (lavapipe) or without WebGPU.
 * `backend` (--backend, SPIKEFLOW_BACKEND) overrides the choice; the first line says which and why.
 */
import { leafName, type FeedValue, type Graph, type HostTensor, type TrainBackend } from '@spikeflow/core';
import { adam, buildClassifier, classifierHead, countCorrect, lif, linear, loadMnist, mnistSplit, sequential, sequentialMnist, TaskRng, trainingGraph, type Task } from '@spikeflow/models';
import { describeChoice, type ChosenBackend, type CompileProgressCallback } from '@spikeflow/webgpu';
import { chooseBackend, type BackendRequest } from '../../packages/cli/src/backend-choice.js';

export interface DemoOptions {
  readonly epochs: number;
  readonly trainSize: number;
  readonly testSize: number;
  readonly batch: number;
  readonly steps: number;
  readonly hidden: number;
  readonly lr: number;
  readonly seed: number;
  /** Prints a progress line; `done` of `total` batches in the current epoch. */
  readonly progress?: (line: string, final: boolean) => void;
  /** Train on WebGPU on any adapter, software included, and fail without one (SPIKEFLOW_REQUIRE_WEBGPU=1 by default). */
  readonly requireWebGPU?: boolean;
  /** The backend asked for; auto by default. */
  readonly backend?: BackendRequest;
  /** Hears the compiling of the GPU kernels (minutes on a software GPU the first time). */
  readonly onCompileProgress?: CompileProgressCallback;
}

export interface DemoResult {
  readonly device: string;
  /** The backend line printed first: `backend: <kind> (<detail>) — <why>`. */
  readonly backendLine: string;
  readonly epochs: readonly { readonly epoch: number; readonly loss: number; readonly testAccuracy: number; readonly seconds: number }[];
  readonly testAccuracy: number;
}

/** 784 -> hidden LIF -> 10 LIF over `steps` time steps; the class scores are output spike counts. */
function model(steps: number, batch: number, hidden: number): Graph {
  const spec = sequential([
    linear(784, hidden, { initScale: 4 }),
    lif({ tau: 2, detachReset: true }),
    linear(hidden, 10, { initScale: 4 }),
    lif({ tau: 2, detachReset: true }),
  ]);
  return buildClassifier(spec, { input: { name: 'x', shape: [steps, batch, 784] }, head: classifierHead({ readout: 'count', loss: 'crossEntropy' }) });
}

/** A seeded shuffle, so every run sees the same batches. */
function shuffled(n: number, seed: number): number[] {
  return Array.from(new TaskRng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i)));
}

function largestDivisorAtMost(n: number, most: number): number {
  for (let d = Math.min(n, most); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

function batches(indices: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let k = 0; k + size <= indices.length; k += size) out.push(indices.slice(k, k + size));
  return out;
}

/** What runs a step and an evaluation, on the chosen backend. */
interface Engine {
  readonly device: string;
  step(feeds: Record<string, FeedValue>): Promise<number>;
  evaluateCounts(feeds: Record<string, FeedValue>): Promise<HostTensor>;
}

function deviceName(chosen: ChosenBackend): string {
  if (chosen.kind === 'webgpu') return `WebGPU (${chosen.ctx.adapterInfo})`;
  return chosen.kind === 'wasm' ? `WebAssembly (${chosen.threads} threads)` : 'CPU reference interpreter';
}

/** The training step and the evaluation compiled on `backend`; the evaluation takes the step's current params. */
async function engineOn(backend: TrainBackend, device: string, train: Graph, forward: Graph, seed: number): Promise<Engine> {
  const step = await backend.compileTrainStep(train, { seed });
  const evaluation = await backend.compile(forward, { seed });
  const paramNames = forward.params.map((id) => leafName(forward.nodes[id]!));
  return {
    device,
    step: (feeds) => step.stepWithLoss(feeds),
    async evaluateCounts(feeds) {
      evaluation.setParams(await step.readState(paramNames));
      return (await evaluation.run(feeds)).scores!;
    },
  };
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const say = options.progress ?? (() => {});
  const split = mnistSplit(await loadMnist());
  const encode = (data: typeof split.train): Task<number> => sequentialMnist(data, { encoding: 'rate', steps: options.steps });
  const trainTask = encode(split.train);
  const testTask = encode(split.test);
  const train = trainingGraph(model(options.steps, options.batch, options.hidden), { loss: 'loss', optimizer: adam() });
  // Held-out digits go through in batches that divide the test set, so every digit counts.
  const testCount = Math.min(options.testSize, split.test.count);
  const evalBatch = largestDivisorAtMost(testCount, options.batch);
  const forward = model(options.steps, evalBatch, options.hidden);
  const chosen = await chooseBackend(options.backend ?? { prefer: 'auto', source: 'auto' }, {
    ...(options.onCompileProgress === undefined ? {} : { onCompileProgress: options.onCompileProgress }),
    ...(options.requireWebGPU === undefined ? {} : { requireWebGPU: options.requireWebGPU }),
  });
  const backendLine = describeChoice(chosen);
  say(backendLine, true);
  const engine = await engineOn(chosen.backend, deviceName(chosen), train, forward, options.seed);
  say(`model: 784 -> ${options.hidden} LIF -> 10 LIF, T = ${options.steps}, batch ${options.batch}, Adam lr ${options.lr}`, true);

  const testBatches = batches(Array.from({ length: testCount }, (_, i) => i), evalBatch);
  const epochs: DemoResult['epochs'][number][] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = performance.now();
    const order = shuffled(split.train.count, options.seed + epoch).slice(0, options.trainSize);
    const list = batches(order, options.batch);
    let lossSum = 0;
    for (const [k, chunk] of list.entries()) {
      const batch = trainTask.encode(chunk);
      const loss = await engine.step({ x: batch.inputs.x!, labels: batch.labels!, lr: options.lr });
      lossSum += loss;
      say(`epoch ${epoch}/${options.epochs} [${'#'.repeat(Math.round((20 * (k + 1)) / list.length)).padEnd(20)}] batch ${k + 1}/${list.length} loss ${loss.toFixed(4)}`, false);
    }
    let correct = 0;
    let seen = 0;
    for (const chunk of testBatches) {
      const batch = testTask.encode(chunk);
      correct += countCorrect(await engine.evaluateCounts({ x: batch.inputs.x!, labels: batch.labels! }), batch.labels!);
      seen += chunk.length;
    }
    const entry = { epoch, loss: lossSum / list.length, testAccuracy: correct / seen, seconds: (performance.now() - start) / 1000 };
    epochs.push(entry);
    say(`epoch ${epoch}: mean train loss ${entry.loss.toFixed(4)}, held-out accuracy ${(100 * entry.testAccuracy).toFixed(2)}% on ${seen} test digits (${entry.seconds.toFixed(1)} s)`, true);
  }
  return { device: engine.device, backendLine, epochs, testAccuracy: epochs[epochs.length - 1]!.testAccuracy };
}
