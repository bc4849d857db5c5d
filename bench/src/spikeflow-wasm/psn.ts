import { grad, gradName } from '@spikeflow/autodiff';
import { toArray, type HostTensor } from '@spikeflow/core';
import { nodeWasmBackend } from '@spikeflow/wasm/node';
import type { PsnImpl } from '../workloads/psn.js';
import { layerWrt, PSN_LAYER, spikingLayerModel } from '../workloads/spiking-layers.js';
import { wasmExecutable } from './executable.js';

/**
 * W2 on the WebAssembly CPU backend: the models layer `psn` traced over X, differentiated by
 * `grad` and compiled by `nodeWasmBackend` on `threads` threads. A timed call computes every
 * output (dX included) and reads back the loss and the small param gradients, as the WebGPU one does.
 */
export function wasmPsn(impl: string, threads: number): PsnImpl {
  const backend = nodeWasmBackend({ threads });
  const { scope } = PSN_LAYER;
  return {
    impl,
    device: `CPU via WebAssembly SIMD (${threads} thread${threads === 1 ? '' : 's'})`,
    async create(f) {
      const wrt = layerWrt(PSN_LAYER);
      const exe = wasmExecutable(await backend.compile(grad(spikingLayerModel(PSN_LAYER, f.T, f.N), { of: 'loss', wrt })));
      exe.setParams({ X: f.x, G: f.g, [`${scope}/w`]: f.w, [`${scope}/b`]: f.b });
      const read = ['loss', ...wrt.filter((name) => name !== 'X').map(gradName)];
      const values = (out: Record<string, HostTensor>, name: string) => Float32Array.from(toArray(out[name]!));
      return {
        step: async () => toArray((await exe.run(PSN_LAYER.feeds, read)).loss!)[0]!,
        async gradients() {
          const out = await exe.run(PSN_LAYER.feeds);
          return { loss: values(out, 'loss')[0]!, w: values(out, gradName(`${scope}/w`)), b: values(out, gradName(`${scope}/b`)), x: values(out, gradName('X')) };
        },
        dispose: () => exe.destroy(),
      };
    },
  };
}
