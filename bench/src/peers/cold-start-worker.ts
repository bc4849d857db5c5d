/**
 * One cold start of W1 (see suites/cold-start.ts): a fresh process that loads one implementation,
 * sets up the training step on the fixture and runs the first step, reporting when each phase
 * ended. Run by the suite through spawn.ts, never by hand. The phases of spikeflow are its own
 * (module import, device, trace and autodiff, compile to WGSL, pipelines, the step); a peer's are
 * what it exposes (library load with its device, setup, the step: tfjs and jax-js compile their
 * shaders inside their first step).
 */
import { loadavg } from 'node:os';
import { COLD_START_MARKER, type ColdStartRequest, type ColdStartResult, type KernelReady, type Phase } from './cold-start-protocol.js';
import { readLifMlpFixture } from './workload-files.js';

/** Wall-clock ms since the epoch: the harness compares it with the time it spawned this process. */
const now = () => performance.timeOrigin + performance.now();

async function spikeflow(dir: string, phase: (name: string) => void): Promise<{ device: string; kernels: KernelReady[]; loss: number }> {
  const [{ acquireNodeDevice }, { compileTrainStep }, { sgd, trainingGraph }, { tensor }, { LIF_MLP, LIF_MLP_PARAMS, lifMlpModel }] = await Promise.all([
    import('@spikeflow/webgpu/node'),
    import('@spikeflow/webgpu'),
    import('@spikeflow/models'),
    import('@spikeflow/core'),
    import('../workloads/lif-mlp.js'),
  ]);
  phase('import');
  const { device, adapterInfo } = await acquireNodeDevice();
  phase('device');
  const f = readLifMlpFixture(dir);
  const graph = trainingGraph(lifMlpModel(f.T, f.B), { loss: 'loss', optimizer: sgd() });
  phase('trace+autodiff');
  // The compiler reports progress before it requests the first pipeline (WGSL generated), then
  // once per unique pipeline as it becomes ready (compiled and dispatched once).
  const kernels: KernelReady[] = [];
  let wgslDone = false;
  let previous = 0;
  const train = await compileTrainStep(graph, device, {
    spikeInputs: ['x'], // as W1's `spikeflow` is compiled (suites/lif-mlp.ts)
    onCompileProgress: ({ label }) => {
      const t = now();
      if (wgslDone) kernels.push({ label: label ?? '', ms: t - previous });
      else {
        wgslDone = true;
        phase('compile to WGSL');
      }
      previous = t;
    },
  });
  phase('pipelines');
  train.setState({ [LIF_MLP_PARAMS.w1]: f.w1, [LIF_MLP_PARAMS.w2]: f.w2 });
  const loss = await train.stepWithLoss({ x: tensor([f.T, f.B, LIF_MLP.inputs], f.x), y: tensor([f.B], f.labels, 'i32'), lr: LIF_MLP.lr });
  phase('first step');
  train.destroy();
  return { device: adapterInfo, kernels, loss };
}

/** A peer through the same runner the W1 suite times (its first step compiles its shaders). */
async function peer(impl: string, dir: string, phase: (name: string) => void): Promise<{ device: string; kernels: KernelReady[]; loss: number }> {
  const { acquireNodeDevice } = await import('@spikeflow/webgpu/node');
  const gpuName = async () => (await acquireNodeDevice()).adapterInfo;
  let runner;
  let device: string;
  if (impl === 'tfjs-webgpu') {
    const [{ loadTfjs }, { tfjsLifMlp }] = await Promise.all([import('../tfjs/load.js'), import('../tfjs/lif-mlp.js')]);
    const tf = await loadTfjs();
    phase('import');
    device = await gpuName();
    runner = tfjsLifMlp(tf, 'webgpu', device);
  } else if (impl === 'jax-js-webgpu') {
    const [{ startJax }, { jaxLifMlp }] = await Promise.all([import('../jaxjs/load.js'), import('../jaxjs/lif-mlp.js')]);
    phase('import');
    device = await startJax('webgpu', gpuName);
    runner = jaxLifMlp(impl, device);
  } else throw new Error(`unknown cold-start implementation ${JSON.stringify(impl)} (spikeflow, tfjs-webgpu, jax-js-webgpu)`);
  phase('device');
  const step = await runner.create(readLifMlpFixture(dir));
  phase('setup');
  const loss = await step.step();
  phase('first step');
  step.dispose();
  return { device, kernels: [], loss };
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? 'null') as ColdStartRequest | null;
  if (request === null || typeof request !== 'object') throw new Error('usage: cold-start-worker.ts <request JSON> (see cold-start-protocol.ts)');
  // The first phase runs from the spawn to the first line of this module: Node, tsx, this module's imports.
  const phases: Phase[] = [];
  let last = request.spawned_at_ms;
  const phase = (name: string) => {
    const t = now();
    phases.push({ name, ms: t - last });
    last = t;
  };
  phase('process start');
  const run = request.impl === 'spikeflow' ? spikeflow : (dir: string, p: typeof phase) => peer(request.impl, dir, p);
  const { device, kernels, loss } = await run(request.fixture, phase);
  const result: ColdStartResult = { impl: request.impl, device, total_ms: last - request.spawned_at_ms, phases, kernels, loss, load_1min: loadavg()[0]! };
  process.stdout.write(`\n${COLD_START_MARKER}${JSON.stringify(result)}\n`);
}

main().then(
  // dawn.node keeps the event loop alive; the answer is written, so leave.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    process.exit(1);
  },
);
