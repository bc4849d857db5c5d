import { grad, gradName } from '@spikeflow/autodiff';
import { tensor, toArray } from '@spikeflow/core';
import { compile, compileTrainStep, type CompileOptions } from '@spikeflow/webgpu';
import { sgd, trainingGraph } from '@spikeflow/models';
import { profileKernels } from '../gpu/kernel-profile.js';
import { LIF_MLP, LIF_MLP_PARAMS, lifMlpModel, type LifMlpImpl } from '../workloads/lif-mlp.js';

/**
 * W1 in spikeflow: the traced LIF-MLP, made a training graph with SGD (params become device
 * state updated in place) and compiled as one executable; a step is one submission whose loss is
 * read back (stepWithLoss). `options` are the compiler's (spike storage, zero skipping), under
 * impl name `impl`.
 */
export function spikeflowLifMlp(device: GPUDevice, deviceName: string, options: CompileOptions = {}, impl = 'spikeflow'): LifMlpImpl {
  return {
    impl,
    device: deviceName,
    async create(f) {
      const model = lifMlpModel(f.T, f.B);
      const weights = { [LIF_MLP_PARAMS.w1]: f.w1, [LIF_MLP_PARAMS.w2]: f.w2 };
      const feeds = { x: tensor([f.T, f.B, LIF_MLP.inputs], f.x), y: tensor([f.B], f.labels, 'i32') };
      const train = await compileTrainStep(trainingGraph(model, { loss: 'loss', optimizer: sgd() }), device, options);
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
          const exe = await compile(grad(model, { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2] }), device, options);
          exe.setParams(weights);
          const out = await exe.run(feeds);
          exe.destroy();
          const values = (name: string) => Float32Array.from(toArray(out[name]!));
          return { loss: values('loss')[0]!, w1: values(gradName(LIF_MLP_PARAMS.w1)), w2: values(gradName(LIF_MLP_PARAMS.w2)) };
        },
        kernels: () => profileKernels(device, train.executable),
        dispose: () => train.destroy(),
      };
    },
  };
}
