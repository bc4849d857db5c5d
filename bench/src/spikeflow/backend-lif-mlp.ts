import { grad, gradName } from '@spikeflow/autodiff';
import { tensor, toArray, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { sgd, trainingGraph } from '@spikeflow/models';
import type { KernelTime } from '../gpu/kernel-profile.js';
import { LIF_MLP, LIF_MLP_PARAMS, lifMlpModel, type LifMlpImpl } from '../workloads/lif-mlp.js';

/**
 * W1 in spikeflow on one of its backends (WebGPU, WebAssembly): the traced LIF-MLP made a training
 * graph with SGD (params become state, updated in place where the backend keeps them) and compiled
 * as one step; a step is one call whose loss is read back (stepWithLoss). The backend carries the
 * compile options (e.g. `spikeInputs: ['x']`), for the step and the gradient graph alike.
 * `kernels` times a step kernel by kernel, where the backend can tell.
 */
export function backendLifMlp(impl: string, device: string, backend: TrainBackend, kernels?: (train: StepRunner) => Promise<readonly KernelTime[]>): LifMlpImpl {
  return {
    impl,
    device,
    async create(f) {
      const model = lifMlpModel(f.T, f.B);
      const weights = { [LIF_MLP_PARAMS.w1]: f.w1, [LIF_MLP_PARAMS.w2]: f.w2 };
      const feeds = { x: tensor([f.T, f.B, LIF_MLP.inputs], f.x), y: tensor([f.B], f.labels, 'i32') };
      const train = await backend.compileTrainStep(trainingGraph(model, { loss: 'loss', optimizer: sgd() }));
      train.setState(weights);
      const trainFeeds = { ...feeds, lr: LIF_MLP.lr };
      return {
        step: () => train.stepWithLoss(trainFeeds),
        async weights() {
          const state = await train.readState([LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2]);
          return { w1: Float32Array.from(toArray(state[LIF_MLP_PARAMS.w1]!)), w2: Float32Array.from(toArray(state[LIF_MLP_PARAMS.w2]!)) };
        },
        // A separate gradient graph at the fixture's weights, compiled only when asked (for the agreement check).
        async gradients() {
          const exe = await backend.compile(grad(model, { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2] }));
          try {
            exe.setParams(weights);
            const out = await exe.run(feeds);
            const values = (name: string) => Float32Array.from(toArray(out[name]!));
            return { loss: values('loss')[0]!, w1: values(gradName(LIF_MLP_PARAMS.w1)), w2: values(gradName(LIF_MLP_PARAMS.w2)) };
          } finally {
            exe.destroy();
          }
        },
        ...(kernels === undefined ? {} : { kernels: () => kernels(train) }),
        dispose: () => train.destroy(),
      };
    },
  };
}
