/**
 * One implementation of W1 or W2 in a process of its own (see protocol.ts): the agreement check
 * when asked, then the timed steps. Run by the suites through spawn.ts, never by hand.
 */
import { loadavg } from 'node:os';
import type { KernelTime } from '../gpu/kernel-profile.js';
import { sampleSteps } from '../harness/timing.js';
import type { JaxBackend } from '../jaxjs/load.js';
import type { TfBackend } from '../tfjs/load.js';
import type { LifMlpImpl, LifMlpRunner } from '../workloads/lif-mlp.js';
import type { PsnImpl, PsnRunner } from '../workloads/psn.js';
import { DEFAULT_WASM_THREADS, implNames, RESULT_MARKER, type CheckAnswer, type WorkerRequest, type WorkerResult, type WorkloadId } from './protocol.js';
import { readLifMlpFixture, readPsnFixture, writeLifMlpCheck, writePsnCheck } from './workload-files.js';

// Each process loads only its own implementation's modules (dynamic imports): starting a process
// is the fixed cost of every round, and tfjs's bundle or jax-js need not load beside spikeflow.
async function gpu() {
  const { acquireNodeDevice } = await import('@spikeflow/webgpu/node');
  return acquireNodeDevice();
}

async function gpuName(): Promise<string> {
  return (await gpu()).adapterInfo;
}

async function tfjs(impl: string) {
  const backend = impl.slice('tfjs-'.length) as TfBackend;
  const { describeBackend, loadTfjs } = await import('../tfjs/load.js');
  const tf = await loadTfjs();
  return { tf, backend, device: await describeBackend(tf, backend, backend === 'webgpu' ? await gpuName() : '') };
}

async function jax(impl: string): Promise<string> {
  const { startJax } = await import('../jaxjs/load.js');
  return startJax(impl.slice('jax-js-'.length) as JaxBackend, gpuName);
}

/** The implementations this TypeScript process runs (torch runs from bench/torch/peer.py). */
const knownHere = (workload: WorkloadId) => implNames(workload).filter((impl) => impl !== 'torch').join(', ');

async function lifMlpImpl(impl: string, wasmThreads: number): Promise<LifMlpImpl> {
  if (impl === 'spikeflow-wasm' || impl === 'spikeflow-wasm-dense-x') {
    // As for WebGPU, `spikeflow-wasm` is told x holds spikes (`spikeInputs: ['x']`) and the dense-x one is not.
    const { wasmLifMlp } = await import('../spikeflow-wasm/lif-mlp.js');
    return wasmLifMlp(impl, wasmThreads, impl === 'spikeflow-wasm');
  }
  if (impl === 'spikeflow' || impl === 'spikeflow-dense-x') {
    const [{ device, adapterInfo }, { spikeflowLifMlp }] = await Promise.all([gpu(), import('../spikeflow/lif-mlp.js')]);
    // W1's x is defined as 0/1 spikes; `spikeflow` is told so (a compile option any user has), so
    // it stores x as bits and its input matmuls skip the zeros.
    return spikeflowLifMlp(device, adapterInfo, impl === 'spikeflow' ? { spikeInputs: ['x'] } : {}, impl);
  }
  if (impl === 'tfjs-webgpu' || impl === 'tfjs-wasm') {
    const [{ tf, backend, device }, { tfjsLifMlp }] = await Promise.all([tfjs(impl), import('../tfjs/lif-mlp.js')]);
    return tfjsLifMlp(tf, backend, device);
  }
  if (impl === 'jax-js-wasm' || impl === 'jax-js-webgpu') {
    const [device, { jaxLifMlp }] = await Promise.all([jax(impl), import('../jaxjs/lif-mlp.js')]);
    return jaxLifMlp(impl, device);
  }
  throw new Error(`unknown W1 implementation ${JSON.stringify(impl)} (known here: ${knownHere('w1')})`);
}

async function psnImpl(impl: string, wasmThreads: number): Promise<PsnImpl> {
  if (impl === 'spikeflow-wasm') {
    const { wasmPsn } = await import('../spikeflow-wasm/psn.js');
    return wasmPsn(impl, wasmThreads);
  }
  if (impl === 'spikeflow') {
    const [{ device, adapterInfo }, { spikeflowPsn }] = await Promise.all([gpu(), import('../spikeflow/psn.js')]);
    return spikeflowPsn(device, adapterInfo);
  }
  if (impl === 'tfjs-webgpu' || impl === 'tfjs-wasm') {
    const [{ tf, backend, device }, { tfjsPsn }] = await Promise.all([tfjs(impl), import('../tfjs/psn.js')]);
    return tfjsPsn(tf, backend, device);
  }
  if (impl === 'jax-js-wasm' || impl === 'jax-js-webgpu') {
    const [device, { jaxPsn }] = await Promise.all([jax(impl), import('../jaxjs/psn.js')]);
    return jaxPsn(impl, device);
  }
  throw new Error(`unknown W2 implementation ${JSON.stringify(impl)} (known here: ${knownHere('w2')})`);
}

/** What both workloads' implementations share: a runner made from a fixture, with a blocking step. */
interface Runnable<F, R extends { step(): Promise<number>; kernels?(): Promise<readonly KernelTime[]>; dispose(): void }> {
  readonly impl: string;
  readonly device: string;
  create(fixture: F): Promise<R>;
}

/** The gradient call of the check is timed: it is the cold first call (every compilation). */
async function timedGradients<G>(gradients: () => Promise<G>): Promise<{ grads: G; firstCallMs: number }> {
  const start = performance.now();
  const grads = await gradients();
  return { grads, firstCallMs: performance.now() - start };
}

/** W1's check: loss and gradients at the fixture's weights, then one training step and the weights it left. */
async function checkLifMlp(runner: LifMlpRunner, out: string): Promise<CheckAnswer> {
  const { grads, firstCallMs } = await timedGradients(() => runner.gradients());
  const stepLoss = await runner.step();
  const after = await runner.weights();
  writeLifMlpCheck(out, { w1: grads.w1, w2: grads.w2, w1After: after.w1, w2After: after.w2 });
  return { loss: grads.loss, step_loss: stepLoss, first_call_ms: firstCallMs };
}

/** W2's check: loss, dW, db and dX, then the loss of one step. */
async function checkPsn(runner: PsnRunner, out: string): Promise<CheckAnswer> {
  const { grads, firstCallMs } = await timedGradients(() => runner.gradients());
  const stepLoss = await runner.step();
  writePsnCheck(out, grads);
  return { loss: grads.loss, step_loss: stepLoss, first_call_ms: firstCallMs };
}

async function runImpl<F, R extends { step(): Promise<number>; kernels?(): Promise<readonly KernelTime[]>; dispose(): void }>(
  request: WorkerRequest,
  impl: Runnable<F, R>,
  readFixture: (dir: string) => F,
  check: (runner: R, out: string) => Promise<CheckAnswer>,
): Promise<Omit<WorkerResult, 'load_1min'>> {
  let answer: CheckAnswer | null = null;
  if (request.check) {
    const runner = await impl.create(readFixture(request.check.fixture));
    try {
      answer = await check(runner, request.check.out);
    } finally {
      runner.dispose();
    }
  }
  const runner = await impl.create(readFixture(request.fixture));
  try {
    const { first, samples } = await sampleSteps(() => runner.step(), request.timing);
    const kernels = request.profile && runner.kernels ? await runner.kernels() : null;
    return { impl: impl.impl, device: impl.device, check: answer, first_ms: first, samples, kernels };
  } finally {
    runner.dispose();
  }
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? 'null') as WorkerRequest | null;
  if (request === null || typeof request !== 'object') throw new Error('usage: worker.ts <request JSON> (see protocol.ts)');
  const wasmThreads = request.wasmThreads ?? DEFAULT_WASM_THREADS;
  if (!Number.isInteger(wasmThreads) || wasmThreads < 1) throw new Error(`request field wasmThreads must be a positive integer, not ${JSON.stringify(request.wasmThreads)}`);
  const answer =
    request.workload === 'w1'
      ? await runImpl(request, await lifMlpImpl(request.impl, wasmThreads), readLifMlpFixture, checkLifMlp)
      : request.workload === 'w2'
        ? await runImpl(request, await psnImpl(request.impl, wasmThreads), readPsnFixture, checkPsn)
        : undefined;
  if (answer === undefined) throw new Error(`unknown workload ${JSON.stringify(request.workload)} (w1 or w2)`);
  const result: WorkerResult = { ...answer, load_1min: loadavg()[0]! };
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

main().then(
  // dawn.node keeps the event loop alive; the answer is written, so leave.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(1);
  },
);
