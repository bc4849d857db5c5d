import { grad, gradName } from '@spikeflow/autodiff';
import { toArray } from '@spikeflow/core';
import { compile, type Executable } from '@spikeflow/webgpu';
import { layerWrt, spikingLayerModel, type SpikingLayer } from '../workloads/spiking-layers.js';

/** A spiking layer's graph on the device: forward only, or forward and backward. */
export interface CompiledLayer {
  readonly exe: Executable;
  /**
   * One call, resolving to the loss once the device has finished: it reads the loss (and, with
   * the backward pass, the small param gradients). The read is queued after every dispatch of the
   * call, dX's included, so it cannot complete before all gradients are computed.
   */
  call(): Promise<number>;
  /** Every output of one call, gradients by their wrt name. */
  outputs(): Promise<Record<string, Float32Array>>;
  readonly compileMs: number;
}

export async function compileSpikingLayer(device: GPUDevice, layer: SpikingLayer, T: number, N: number, backward: boolean, checkpointEvery?: number): Promise<CompiledLayer> {
  const model = spikingLayerModel(layer, T, N);
  const wrt = layerWrt(layer);
  const graph = backward ? grad(model, { of: 'loss', wrt, checkpointEvery }) : model;
  const start = performance.now();
  const exe = await compile(graph, device);
  const compileMs = performance.now() - start;
  const read = ['loss', ...(backward ? wrt.filter((name) => name !== 'X').map(gradName) : [])];
  return {
    exe,
    compileMs,
    call: async () => toArray((await exe.run(layer.feeds, read)).loss!)[0]!,
    outputs: async () => {
      const out = await exe.run(layer.feeds);
      return Object.fromEntries(Object.entries(out).map(([name, t]) => [name.startsWith('grad/') ? name.slice(5) : name, Float32Array.from(toArray(t))]));
    },
  };
}
