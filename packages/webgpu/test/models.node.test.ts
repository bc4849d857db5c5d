// Model-level parity: the same graphs on the CPU reference and on WebGPU (dawn.node).
import { evaluate, tensor, toArray, trace, type Graph, type HostTensor, type Tensor } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { adam, buildLinear, buildLif, lif, linear, sgd, trainingGraph } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileTrainStep } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testRandom } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU model parity tests');

/** Test data in [lo, hi), or with `binary`, 1 where the uniform falls below the midpoint (spikes). */
function data(seed: number, n: number, lo: number, hi: number, binary = false): number[] {
  const next = testRandom(seed);
  return Array.from({ length: n }, () => {
    const u = next();
    return binary ? Number(u < (lo + hi) / 2) : lo + (hi - lo) * u;
  });
}

/** Softmax cross-entropy of logits [B, C] against one-hot targets [B, C], batch mean. */
function crossEntropy(logits: Tensor, targets: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logZ = shifted.exp().sum(-1, true).log();
  return shifted.sub(logZ).mul(targets).sum().neg().div(logits.shape[0]!);
}

/** LIF MLP: x [T, B, I] -> linear -> LIF -> linear -> LIF -> rates -> CE. */
function lifMlp(T: number, B: number, I: number, H: number, C: number): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const y = b.input('y', [B, C]);
    let h = b.scope('linear0', () => buildLinear(b, x, linear(I, H, { initScale: 8 })));
    h = b.scope('lif1', () => buildLif(b, h, lif({ detachReset: true })));
    h = b.scope('linear2', () => buildLinear(b, h, linear(H, C, { initScale: 8 })));
    const s = b.scope('lif3', () => buildLif(b, h, lif({ detachReset: true })));
    return { loss: crossEntropy(s.mean(0), y), rate: s.mean() };
  });
}

/** One ALIF step (Bellec et al. 2018) with recurrent spikes; carries v, a, z. */
function alifStep([v, a, z]: Tensor[], xt: Tensor, wIn: Tensor, wRec: Tensor) {
  const dt = 1;
  const alpha = Math.exp(-dt / 20);
  const rho = Math.exp(-dt / 700);
  const b0 = 0.01;
  const beta = 1.8;
  const current = xt.matmul(wIn).add(z!.matmul(wRec));
  const threshold = a!.mul(beta).add(b0);
  const zNext = v!.sub(threshold).div(threshold).spike({ kind: 'triangle', alpha: 0.3 });
  const vNext = v!.mul(alpha).add(current.mul(1 - alpha)).sub(zNext.mul(b0));
  const aNext = a!.mul(rho).add(zNext.mul(1 - rho));
  return { carries: [vNext, aNext, zNext], outputs: [zNext] };
}

function host(shape: number[], values: number[]): HostTensor {
  return tensor(shape, values);
}

describe.skipIf(skip)('model parity, CPU reference vs WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('LIF MLP forward and backward agree', async () => {
    const { device } = deviceOf(acquired);
    const [T, B, I, H, C] = [12, 8, 40, 32, 5];
    const model = lifMlp(T, B, I, H, C);
    const g = grad(model, { of: 'loss', wrt: ['linear0/w', 'linear2/w'] });
    const feeds = { x: host([T, B, I], data(1, T * B * I, 0, 0.6, true)), y: host([B, C], Array.from({ length: B * C }, (_, k) => Number(k % C === (Math.floor(k / C) * 3) % C))) };
    const params = { 'linear0/w': host([I, H], data(2, I * H, -0.8, 0.8)), 'linear2/w': host([H, C], data(3, H * C, -0.8, 0.8)) };
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    const exe = await compile(g, device);
    exe.setParams(params);
    const gpu = await exe.run(feeds);
    expect(toArray(cpu.rate!)[0]).toBeGreaterThan(0.02); // the network really spikes
    for (const name of ['loss', 'grad/linear0/w', 'grad/linear2/w']) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
    exe.destroy();
  });

  it('recurrent ALIF network: BPTT at T = 100 agrees', async () => {
    const { device } = deviceOf(acquired);
    const [T, B, I, N] = [100, 2, 3, 8];
    const net = trace((b) => {
      const x = b.input('x', [T, B, I]);
      const wIn = b.param('w_in', [I, N], { kind: 'uniform', low: -1, high: 1 });
      const wRec = b.param('w_rec', [N, N], { kind: 'uniform', low: -0.3, high: 0.3 });
      const zero = b.constant(0, [B, N]);
      const { outputs } = b.scan({ carries: [zero, zero, zero], sequences: [x], body: (_, c, [xt]) => alifStep(c, xt!, wIn, wRec) });
      return { loss: outputs[0]!.mul(b.input('r', [T, B, N])).sum(), rate: outputs[0]!.mean() };
    });
    const g = grad(net, { of: 'loss', wrt: ['w_in', 'w_rec'] });
    const feeds = { x: host([T, B, I], data(4, T * B * I, 0, 0.4)), r: host([T, B, N], data(5, T * B * N, -1, 1)) };
    const params = { w_in: host([I, N], data(6, I * N, -0.5, 0.5)), w_rec: host([N, N], data(7, N * N, -0.3, 0.3)) };
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    const exe = await compile(g, device);
    exe.setParams(params);
    const gpu = await exe.run(feeds);
    expect(toArray(cpu.rate!)[0]).toBeGreaterThan(0.01);
    // The recurrent matmul runs as a step loop: T dispatches of the body's kernels.
    expect(exe.stats.kernels.some((k) => k.dispatches === T)).toBe(true);
    for (const name of ['loss', 'grad/w_in', 'grad/w_rec']) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-3);
    exe.destroy();
  });

  it('PSN layer (H = W X + b, atan spike) forward and backward agree', async () => {
    const { device } = deviceOf(acquired);
    const [T, N] = [16, 300];
    const psn = trace((b) => {
      const x = b.input('x', [T, N]);
      const w = b.param('w', [T, T], { kind: 'uniform', low: -1 / Math.sqrt(T), high: 1 / Math.sqrt(T) });
      const bias = b.param('b', [T, 1], { kind: 'fill', value: -1 });
      const s = w.matmul(x).add(bias).spike('atan');
      return { loss: s.mul(b.input('g', [T, N])).sum(), s };
    });
    const g = grad(psn, { of: 'loss', wrt: ['w', 'b', 'x'] });
    const feeds = { x: host([T, N], data(8, T * N, -1, 3)), g: host([T, N], data(9, T * N, -1, 1)) };
    const params = { w: host([T, T], data(10, T * T, -0.25, 0.25)), b: host([T, 1], data(11, T, -0.5, 0.5)) };
    const cpu = evaluate(g, { inputs: feeds, params }).outputs;
    const exe = await compile(g, device);
    exe.setParams(params);
    const gpu = await exe.run(feeds);
    for (const name of ['s', 'loss', 'grad/w', 'grad/b', 'grad/x']) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
    exe.destroy();
  });

  for (const [label, optimizer] of [
    ['SGD with momentum', sgd({ momentum: 0.9 })],
    ['Adam', adam()],
  ] as const) {
    it(`20 training steps (${label}) give the CPU's loss curve`, async () => {
      const { device } = deviceOf(acquired);
      const [T, B, I, H, C] = [8, 16, 30, 24, 4];
      const train = trainingGraph(lifMlp(T, B, I, H, C), { loss: 'loss', optimizer });
      const x = host([T, B, I], data(12, T * B * I, 0, 0.6, true));
      const y = host([B, C], Array.from({ length: B * C }, (_, k) => Number(k % C === Math.floor(k / C) % C)));
      const lr = label === 'Adam' ? 0.05 : 0.5;
      const step = await compileTrainStep(train, device);
      let state: Record<string, HostTensor> | undefined;
      const cpuCurve: number[] = [];
      const gpuCurve: number[] = [];
      for (let k = 0; k < 20; k++) {
        const out = evaluate(train, { inputs: { x, y, lr }, ...(state ? { state } : {}) });
        state = { ...out.state };
        cpuCurve.push(toArray(out.outputs.loss!)[0]!);
        gpuCurve.push(await step.stepWithLoss({ x, y, lr }));
      }
      console.log(`${label}: CPU ${cpuCurve.map((v) => v.toFixed(4)).join(' ')}\n${' '.repeat(label.length)}  GPU ${gpuCurve.map((v) => v.toFixed(4)).join(' ')}`);
      expect(cpuCurve[19]!).toBeLessThan(cpuCurve[0]! - 0.05); // it really learns
      gpuCurve.forEach((v, k) => expect(Math.abs(v - cpuCurve[k]!), `step ${k}`).toBeLessThan(2e-3 * Math.max(1, Math.abs(cpuCurve[k]!))));
      step.destroy();
    });
  }
});
