import { grad, gradName } from '@spikeflow/autodiff';
import { tensor, toArray } from '@spikeflow/core';
import { sgd, trainingGraph } from '@spikeflow/models';
import { nodeWasmBackend } from '@spikeflow/wasm/node';
import { LIF_MLP, LIF_MLP_PARAMS, lifMlpModel, type LifMlpImpl } from '../workloads/lif-mlp.js';
import { wasmExecutable } from './executable.js';

/**
 * W1 on the WebAssembly CPU backend (`nodeWasmBackend` on `threads` threads): the traced LIF-MLP
 * made a training graph with SGD (params are state updated in place in the shared memory); a step
 * is one call whose loss is read back. With `spikeX`, x is declared spikes by its type (a bool
 * input, see lifMlpModel), so the compiler takes its zero-skipping matmul for x·W1 and xᵀ·dH1;
 * without it x is float32 and only the hidden spikes take that path.
 */
export function wasmLifMlp(impl: string, threads: number, spikeX: boolean): LifMlpImpl {
  const backend = nodeWasmBackend({ threads });
  return {
    impl,
    device: `CPU via WebAssembly SIMD (${threads} thread${threads === 1 ? '' : 's'})`,
    async create(f) {
      const model = lifMlpModel(f.T, f.B, { boolX: spikeX });
      const weights = { [LIF_MLP_PARAMS.w1]: f.w1, [LIF_MLP_PARAMS.w2]: f.w2 };
      const feeds = { x: tensor([f.T, f.B, LIF_MLP.inputs], f.x, spikeX ? 'bool' : 'f32'), y: tensor([f.B], f.labels, 'i32') };
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
          const exe = wasmExecutable(await backend.compile(grad(model, { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2] })));
          try {
            exe.setParams(weights);
            const out = await exe.run(feeds);
            const values = (name: string) => Float32Array.from(toArray(out[name]!));
            return { loss: values('loss')[0]!, w1: values(gradName(LIF_MLP_PARAMS.w1)), w2: values(gradName(LIF_MLP_PARAMS.w2)) };
          } finally {
            exe.destroy();
          }
        },
        dispose: () => train.destroy(),
      };
    },
  };
}
