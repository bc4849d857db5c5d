// An LSNN with DEEP R trained on store-recall on WebGPU (dawn.node), checked against the CPU reference.
import { evaluate, toArray, trace, type Graph, type HostTensor, leafName, type Tensor } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { adam, storeRecall, trainingGraph } from '@spikeflow/models';
import { countActive, DeepRewiring, lsnn, storeRecallLsnn, type DeepRParam } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileTrainStep } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the LSNN WebGPU tests');

/** A short store-recall: 6 characters of 6 steps (T = 36), 1 bit, 16 inputs, 2 classes. */
const task = storeRecall({ length: 6, charSteps: 6 });
const { steps: T, inputSize, outputSize } = task.info;
const LR = 0.03;

/** Softmax cross-entropy of logits [T, B, C] against class indices [T, B], averaged over the masked steps. */
function maskedCrossEntropy(logits: Tensor, classes: Tensor, mask: Tensor): Tensor {
  const shifted = logits.sub(logits.max(-1, true).stopGradient());
  const logProbs = shifted.sub(shifted.exp().sum(-1, true).log());
  const picked = logProbs.mul(classes.oneHot(logits.shape[2]!)).sum(-1);
  return picked.mul(mask).sum().neg().div(mask.sum().maximum(1));
}

/** The reference store-recall LSNN (10 LIF + 10 ALIF) with DEEP R at 30% recurrent connectivity. */
function model(batch: number): { graph: Graph; deepR: readonly DeepRParam[] } {
  const net = lsnn(storeRecallLsnn({ inputs: inputSize, outputs: outputSize }, { deepR: { connectivity: 0.3 }, seed: 1, outputScale: 4 }));
  let deepR: readonly DeepRParam[] = [];
  const graph = trace((b) => {
    const p = net(b, b.input('x', [T, batch, inputSize]));
    deepR = p.deepR;
    return { loss: maskedCrossEntropy(p.readout, b.input('targets', [T, batch], 'i32'), b.input('mask', [T, batch])), logits: p.readout };
  });
  return { graph, deepR };
}

function feeds(batch: number, seed: number): Record<string, HostTensor> {
  const episodes = task.batch(batch, seed);
  return { x: episodes.inputs.x!, targets: episodes.targets, mask: episodes.mask };
}

/** Fraction of scored steps whose largest logit is the target class. */
function accuracy(logits: HostTensor, batch: Record<string, HostTensor>): number {
  const [l, c, m] = [toArray(logits), toArray(batch.targets!), toArray(batch.mask!)];
  let right = 0;
  let scored = 0;
  m.forEach((w, k) => {
    if (w === 0) return;
    const row = l.slice(k * outputSize, (k + 1) * outputSize);
    right += Number(row.indexOf(Math.max(...row)) === c[k]);
    scored++;
  });
  return right / scored;
}

const paramNames = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));

/** The model's params as a training runner holds them (as state of the same names). */
function paramsOf(g: Graph, state: Readonly<Record<string, HostTensor>>): Record<string, HostTensor> {
  return Object.fromEntries(paramNames(g).map((name) => [name, state[name]!]));
}

describe.skipIf(skip)('LSNN with DEEP R on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  it('learns store-recall with the active connection count held at every step', async () => {
    const { device } = deviceOf(acquired);
    const batch = 32;
    const steps = 40;
    const { graph, deepR } = model(batch);
    const step = await compileTrainStep(trainingGraph(graph, { loss: 'loss', optimizer: adam() }), device);
    const forward = await compile(graph, device);
    const test = feeds(batch, 9999);
    /** Held-out loss and accuracy of the runner's current weights. */
    const heldOut = async (): Promise<{ loss: number; acc: number }> => {
      forward.setParams(paramsOf(graph, await step.readState()));
      const out = await forward.run(test);
      return { loss: toArray(out.loss!)[0]!, acc: accuracy(out.logits!, test) };
    };
    const rewiring = new DeepRewiring(deepR, { eta: LR, l1: 1e-3, temperature: 1e-5, seed: 2 });
    const before = await heldOut();
    const losses: number[] = [];
    let revived = 0;
    const start = performance.now();
    for (let k = 0; k < steps; k++) {
      losses.push(await step.stepWithLoss({ ...feeds(batch, 100 + k), lr: LR }));
      const counts = await rewiring.apply(step);
      // Read back from the device: the count the next step will train with.
      const theta = await step.readState(deepR.map((p) => p.name));
      for (const p of deepR) {
        expect(countActive(theta[p.name]!.data), `${p.name} after step ${k}`).toBe(p.target);
        revived += counts[p.name]!.revived;
      }
    }
    const seconds = (performance.now() - start) / 1000;
    const after = await heldOut();
    console.log(
      `store-recall LSNN: held-out loss ${before.loss.toFixed(3)} -> ${after.loss.toFixed(3)}, accuracy ${before.acc.toFixed(3)} -> ${after.acc.toFixed(3)} ` +
        `(chance ${task.info.chance.value}), ${steps} steps in ${seconds.toFixed(1)} s, ${revived} connections revived\n  train loss ${losses.map((l) => l.toFixed(3)).join(' ')}`,
    );
    expect(after.loss).toBeLessThan(0.75 * before.loss);
    expect(after.acc).toBeGreaterThan(0.7);
    expect(revived).toBeGreaterThan(0);
    forward.destroy();
    step.destroy();
  });

  it('gives the CPU reference gradients along a DEEP R training run', async () => {
    const { device } = deviceOf(acquired);
    const batch = 4;
    const { graph, deepR } = model(batch);
    const gradGraph = grad(graph, { of: 'loss', wrt: paramNames(graph) });
    const gpuGrad = await compile(gradGraph, device);
    const step = await compileTrainStep(trainingGraph(graph, { loss: 'loss', optimizer: adam() }), device);
    const rewiring = new DeepRewiring(deepR, { eta: LR, l1: 1e-3, temperature: 1e-5, seed: 3 });
    for (let k = 0; k < 3; k++) {
      const inputs = feeds(batch, 500 + k);
      const params = paramsOf(graph, await step.readState());
      const cpu = evaluate(gradGraph, { inputs, params }).outputs;
      gpuGrad.setParams(params);
      const gpu = await gpuGrad.run(inputs);
      expect(toArray(cpu.logits!).some((v) => v !== toArray(cpu.logits!)[0]), 'the readout moves').toBe(true);
      for (const name of ['loss', ...paramNames(graph).map((p) => `grad/${p}`)]) {
        expect(scaledMaxError(gpu[name]!, cpu[name]!), `${name} at step ${k}`).toBeLessThan(1e-4);
      }
      step.step({ ...inputs, lr: LR });
      await rewiring.apply(step);
    }
    gpuGrad.destroy();
    step.destroy();
  });
});
