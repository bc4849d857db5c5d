// The code of docs/guides/write-your-own-neuron.md: the guide shows this file's region verbatim,
// and docs/guide.test.ts checks that it does.
// #region guide
import { cpuBackend, evaluate, initParams, tensor, trace, type Graph } from '@spikeflow/core';
import { adam, buildLinear, defineNeuron, linear, trainingGraph } from '@spikeflow/models';
import { compile, compileTrainStep, type ExecutableStats } from '@spikeflow/webgpu';

/** Quadratic integrate-and-fire: v' = v + (dt/tau)(v² + I); a spike at v >= vPeak, then v = vReset. */
export const qif = defineNeuron({
  kind: 'qif',
  state: { v: { init: -1 } },
  params: { dt: 0.25, tau: 1, vPeak: 5, vReset: -1 },
  step: ({ state: { v }, input, params: { dt, tau, vPeak, vReset }, spike }) => {
    const vNext = v.add(v.mul(v).add(input).mul(dt / tau));
    const s = spike(vNext.sub(vPeak));
    const fired = s.stopGradient(); // a detached reset, as SpikingJelly's detach_reset
    return { state: { v: vNext.mul(fired.neg().add(1)).add(fired.mul(vReset)) }, spike: s };
  },
});

/** `[T, B, I]` input spikes -> linear -> N QIF neurons; the loss pulls spike counts towards targets. */
export function countModel(T: number, B: number, I: number, N: number): Graph {
  return trace((b) => {
    const current = b.scope('linear0', () => buildLinear(b, b.input('x', [T, B, I]), linear(I, N, { initScale: 8, bias: true })));
    const counts = b.scope('qif1', () => qif.apply(b, current)).sum(0);
    const miss = counts.sub(b.input('target', [B, N]));
    return { loss: miss.mul(miss).mean(), counts };
  });
}

/** Trains on the CPU interpreter, or on WebGPU when a device is given (reporting its fused scans). */
export async function trainOwnNeuron(device?: GPUDevice, steps = 30) {
  const [T, B, I, N] = [40, 4, 8, 4];
  const model = countModel(T, B, I, N);
  const x = tensor([T, B, I], Array.from({ length: T * B * I }, (_, k) => ((k * 7919) % 13 < 2 + (k % (B * I)) % 5 ? 1 : 0)));
  // Reachable targets: the counts of a teacher with the same form and other weights.
  const teacher = evaluate(model, { inputs: { x, target: tensor([B, N], new Array<number>(B * N).fill(0)) }, params: initParams(model, { seed: 7 }) });
  const target = teacher.outputs.counts!;
  const train = trainingGraph(model, { loss: 'loss', optimizer: adam() });
  const fused = (stats: ExecutableStats) => stats.kernels.filter((k) => k.kind === 'scan-fused').map((k) => k.dispatches);
  let dispatches: { forward: number[]; train: number[] } | undefined;
  let runner;
  if (device === undefined) {
    runner = await cpuBackend().compileTrainStep(train);
  } else {
    const forward = await compile(model, device);
    runner = await compileTrainStep(train, device);
    dispatches = { forward: fused(forward.stats), train: fused(runner.executable.stats) };
    forward.destroy();
  }
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) losses.push(await runner.stepWithLoss({ x, target, lr: 0.1 }));
  runner.destroy();
  return { losses, dispatches };
}
// #endregion guide
