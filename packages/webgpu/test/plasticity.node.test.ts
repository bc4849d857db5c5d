// Differentiable plasticity on WebGPU: parity with the CPU reference, and in-episode cue association
// learned by a plastic recurrent network but not by the same network without plasticity.
import { evaluate, initParams, leafName, tensor, toArray, trace, type Graph, type HostTensor, type Tensor } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import {
  accuracy,
  adam,
  cueAssociation,
  cueAssociationNetwork,
  isPlasticityParam,
  plasticSnnOptions,
  lif,
  plasticLinear,
  plasticRecurrent,
  runPlasticLinear,
  runPlasticRecurrent,
  TANH_UNIT,
  trainingGraph,
  type CueAssociationNetworkOptions,
  type PlasticitySpec,
  type PlasticLinearSpec,
  type PlasticRecurrentSpec,
} from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, compileTrainStep, type DeviceHandle } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';
import { scaledMaxError } from './support/compare.js';
import { testData } from '../../../test/support/test-data.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU plasticity tests');

const paramNames = (g: Graph): string[] => g.params.map((id) => leafName(g.nodes[id]!));

describe.skipIf(skip)('plasticity on WebGPU', () => {
  afterAll(() => {
    if ('ctx' in acquired) acquired.ctx.device.destroy();
  });

  describe('forward and gradients agree with the CPU', () => {
    const [T, B, I, N] = [8, 3, 4, 6];
    // Between them the three cover every rule, every update, every source of η and both units.
    // W is drawn from ±wRange: LIF units (τ = 2, threshold 1) need a drive above 2 to fire.
    const cases: { label: string; spec: PlasticLinearSpec | PlasticRecurrentSpec; wRange?: number }[] = [
      { label: 'recurrent tanh, Hebbian trace, learned η', spec: plasticRecurrent(I, N, { bias: true }) },
      { label: 'recurrent tanh, Oja, retroactive neuromodulation', spec: plasticRecurrent(I, N, { plasticity: { rule: 'oja', update: 'eligibility', eta: 'neuromodulated', clip: 0.7 } }) },
      {
        label: 'linear LIF, BCM on spike traces, clipped, neuromodulated',
        spec: plasticLinear(I, N, { unit: lif({ detachReset: true }), plasticity: { rule: 'bcm', update: 'clip', eta: 'neuromodulated', traceDecay: 0.7 } }),
        wRange: 3,
      },
    ];
    for (const { label, spec, wRange = 1.5 } of cases) {
      it(label, async () => {
        const { device } = deviceOf(acquired);
        const model = trace((b) => {
          const x = b.input('x', [T, B, I]);
          const run = b.scope('p', () => (spec.kind === 'plasticLinear' ? runPlasticLinear(b, x, spec) : runPlasticRecurrent(b, x, spec)));
          const out: Record<string, Tensor> = { y: run.outputs, hebb: run.hebb, loss: run.outputs.mul(b.input('r', run.outputs.shape)).sum() };
          if (run.modulation) out.m = run.modulation;
          return out;
        });
        const g = grad(model, { of: 'loss', wrt: paramNames(model) });
        // α of order 1 (not the 0.01 init), so that Hebb really shapes the output.
        const params = Object.fromEntries(
          Object.entries(initParams(g)).map(([name, t], k) => {
            const n = t.data.length;
            const values = name.endsWith('eta') ? [0.3] : name.endsWith('alpha') ? testData(20 + k, n, -1, 1) : testData(20 + k, n, -wRange, wRange);
            return [name, tensor(t.type.shape, values)];
          }),
        );
        const feeds = { x: tensor([T, B, I], testData(1, T * B * I, 0, 1.5)), r: tensor([T, B, N], testData(2, T * B * N, -1, 1)) };
        const cpu = evaluate(g, { inputs: feeds, params }).outputs;
        if (spec.unit.kind === 'lif') {
          const rate = toArray(cpu.y!).reduce((a, v) => a + v, 0) / (T * B * N);
          expect(rate, 'the LIF units fire, but not always').toBeGreaterThan(0.05);
          expect(rate).toBeLessThan(0.95);
        }
        const exe = await compile(g, device);
        exe.setParams(params);
        const gpu = await exe.run(feeds);
        for (const name of Object.keys(cpu)) expect(scaledMaxError(gpu[name]!, cpu[name]!), name).toBeLessThan(1e-4);
        exe.destroy();
      });
    }
  });

  describe('in-episode cue association (Miconi et al. 2018)', () => {
    // Every episode pairs 3 new random cues (2 of 8 channels) with the 3 classes; each pair is shown
    // for 2 steps and a gap, then after 1 step one cue comes back alone for 2 steps: T = 12, and
    // chance is 1/3 whatever the network remembers, unless it binds cues to classes within the episode.
    const QUERY_STEPS = 2;
    const task = cueAssociation({ presentSteps: 2, gapSteps: 1, delaySteps: 1, querySteps: QUERY_STEPS });
    const { chance } = task.info;
    const B = 32;
    const held = task.batch(512, 1_000_000); // seeds the training never draws
    // The clipped Hebbian rule, clip(Hebb + η·x yᵀ, ±1): it stores a pair within a few steps, where
    // the decaying trace (1 − η)·Hebb + η·x yᵀ needs about 3x more training to reach the same accuracy.
    const hebbian: Partial<PlasticitySpec> = { rule: 'hebb', update: 'clip' };

    interface CueNetwork {
      readonly label: string;
      readonly steps: number;
      readonly lr: number;
      /** The network with the given plasticity (the control passes α = 0). */
      readonly options: (plasticity: Partial<PlasticitySpec>) => CueAssociationNetworkOptions;
    }
    const networks: CueNetwork[] = [
      {
        label: 'rate network, plastic recurrent tanh units (Miconi et al.)',
        steps: 100,
        lr: 0.01,
        options: (plasticity) => ({ hidden: 32, plasticSynapses: 'recurrent', unit: TANH_UNIT, plasticity, initScale: 1, readoutSteps: 1 }),
      },
      {
        label: "the reproduce experiment's plastic SNN (LIF units, plastic input synapses)",
        steps: 150,
        lr: 0.02,
        options: (plasticity) => plasticSnnOptions(32, QUERY_STEPS, plasticity),
      },
    ];

    /** Trains with Adam on fresh episodes (params that `frozen` names keep their init), then scores held-out episodes. */
    async function trainAndTest(device: DeviceHandle, network: CueNetwork, plasticity: Partial<PlasticitySpec>, frozen: (name: string) => boolean) {
      const started = performance.now();
      const model = cueAssociationNetwork(task.info, B, network.options(plasticity));
      const wrt = paramNames(model).filter((name) => !frozen(name));
      const step = await compileTrainStep(trainingGraph(model, { loss: 'loss', optimizer: adam(), wrt }), device);
      for (let s = 0; s < network.steps; s++) {
        const batch = task.batch(B, 1 + s);
        step.step({ x: batch.inputs.x!, labels: batch.labels!, lr: network.lr });
      }
      const trained = await step.readState(wrt);
      step.destroy();
      const exe = await compile(cueAssociationNetwork(task.info, held.labels!.type.shape[0]!, network.options(plasticity)), device);
      exe.setParams(trained);
      const out = await exe.run({ x: held.inputs.x!, labels: held.labels! }, ['logits']);
      exe.destroy();
      return { accuracy: accuracy(out.logits!, held.labels!), seconds: (performance.now() - started) / 1000 };
    }

    for (const network of networks) {
      describe(network.label, () => {
        it('with plasticity (clipped Hebbian, learned W, α and η) it learns the binding', async () => {
          const { accuracy: acc, seconds } = await trainAndTest(deviceOf(acquired), network, hebbian, () => false);
          console.log(`${network.label}, plastic (Hebbian): held-out accuracy ${acc.toFixed(3)} after ${network.steps} Adam steps of ${B} episodes, ${seconds.toFixed(1)} s (chance ${chance.value.toFixed(3)})`);
          expect(acc).toBeGreaterThanOrEqual(0.9);
        });

        it('the same network with α fixed at 0 (no plasticity) stays near chance', async () => {
          const { accuracy: acc, seconds } = await trainAndTest(deviceOf(acquired), network, { ...hebbian, alphaInit: 0 }, isPlasticityParam);
          console.log(`${network.label}, α = 0 (no plasticity): held-out accuracy ${acc.toFixed(3)} after ${network.steps} Adam steps, ${seconds.toFixed(1)} s (chance ${chance.value.toFixed(3)})`);
          expect(acc).toBeLessThanOrEqual(chance.value + 0.1);
        });
      });
    }
  });
});
