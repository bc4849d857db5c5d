// Steps per second of a LIF classifier's training step (forward, BPTT through two LIF scans, Adam)
// on core's CPU interpreter and on @spikeflow/wasm with 1 and 2 threads (or as told).
//
//   npx tsx bench/wasm-train.ts [--T=25] [--B=32] [--I=100] [--H=128] [--C=10] [--threads=1,2] [--reps=20] [--spikes=skip,dense]
//
// x [T, B, I] rate-coded spikes -> linear -> LIF -> linear -> LIF; scores are output spike counts,
// the loss cross-entropy plus a rate regularizer. Each row is the median of the timed steps after
// warm-up steps, and the best step, the 1-minute load average beside them (the machine may be shared).
import { loadavg } from 'node:os';
import { cpuBackend, tensor, trace, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { adam, buildLif, buildLinear, lif, linear, rateRegularizer, softmaxCrossEntropy, timeReadout, trainingGraph } from '@spikeflow/models';
import { nodeWasmBackend } from '@spikeflow/wasm/node';
import { flag, positiveInteger } from './src/harness/script-flags.js';
import { timeSteps } from './src/harness/timing.js';

const [T, B, I, H, C, reps] = (['T', 'B', 'I', 'H', 'C', 'reps'] as const).map((name, k) => positiveInteger(name, flag(name, ['25', '32', '100', '128', '10', '20'][k]!)));
const threadCounts = flag('threads', '1,2').split(',').map((t) => positiveInteger('threads', t));
// `skip`: matmuls of spikes visit only the non-zeros (the default); `dense`: every matmul is dense.
const spikeModes = flag('spikes', 'skip').split(',').map((mode) => {
  if (mode !== 'skip' && mode !== 'dense') {
    console.error(`--spikes: '${mode}' is not skip or dense`);
    process.exit(2);
  }
  return mode;
});

const model = trace((b) => {
  const x = b.input('x', [T!, B!, I!]);
  const labels = b.input('labels', [B!], 'i32');
  let h = b.scope('linear0', () => buildLinear(b, x, linear(I!, H!, { initScale: 4 })));
  const hidden = b.scope('lif1', () => buildLif(b, h, lif({ detachReset: true })));
  h = b.scope('linear2', () => buildLinear(b, hidden, linear(H!, C!, { initScale: 4 })));
  const out = b.scope('lif3', () => buildLif(b, h, lif({ detachReset: true })));
  const loss = softmaxCrossEntropy(timeReadout(out, 'count'), labels).add(rateRegularizer(hidden, { target: 0.2, weight: 0.1 }));
  return { loss };
});
const graph = trainingGraph(model, { loss: 'loss', optimizer: adam() });

let seed = 1;
const uniform = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const batch = {
  x: tensor([T!, B!, I!], Array.from({ length: T! * B! * I! }, () => Number(uniform() < 0.2))),
  labels: tensor([B!], Array.from({ length: B! }, () => Math.floor(uniform() * C!)), 'i32'),
  lr: 0.01,
};

async function measure(label: string, backend: TrainBackend): Promise<void> {
  const runner: StepRunner = await backend.compileTrainStep(graph, { seed: 0 });
  const load = loadavg()[0]!.toFixed(1);
  const timing = await timeSteps(() => runner.stepWithLoss(batch), { reps: reps!, warmup: 2, budgetMs: 20_000, minReps: 3 });
  console.log(`| ${label} | ${(1000 / timing.ms_median).toFixed(2)} | ${timing.ms_median.toFixed(1)} | ${timing.ms_min.toFixed(1)} | ${timing.reps} | ${load} |`);
  runner.destroy();
}

console.log(`LIF classifier training step, T=${T} B=${B} I=${I} H=${H} C=${C}`);
console.log('| backend | steps/s (median) | ms median | ms best | reps | load average |');
console.log('| --- | --- | --- | --- | --- | --- |');
await measure('CPU interpreter (f32)', cpuBackend());
for (const mode of spikeModes) {
  for (const threads of threadCounts) await measure(`wasm, ${threads} thread${threads === 1 ? '' : 's'}, spikes ${mode}`, nodeWasmBackend({ threads, skipSpikeZeros: mode === 'skip' }));
}
