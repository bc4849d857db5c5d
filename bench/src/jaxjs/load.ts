import { defaultDevice, init } from '@jax-js/jax';
import { nodeGpu } from '@spikeflow/webgpu/node';

export type JaxBackend = 'wasm' | 'webgpu';

/**
 * Starts jax-js on one backend and makes it the default device. Its webgpu backend looks for
 * navigator.gpu, which Node lacks: it gets dawn.node's GPU object, the one @spikeflow/webgpu keeps
 * alive for the whole process (dawn.node crashes if it is garbage-collected).
 */
export async function startJax(backend: JaxBackend, gpuName: () => Promise<string>): Promise<string> {
  if (backend === 'webgpu') Object.assign(globalThis, { navigator: { gpu: await nodeGpu(), userAgent: 'node' } });
  const started = await init(backend);
  if (!started.includes(backend)) throw new Error(`jax-js could not start its ${backend} backend (started: ${started.join(', ') || 'none'})`);
  defaultDevice(backend);
  // jax-js's wasm backend runs on web Workers sharing its memory when both exist; Node has no global Worker.
  const threads = typeof SharedArrayBuffer !== 'undefined' && typeof Worker !== 'undefined' ? 'multi-threaded' : 'single-threaded';
  return backend === 'webgpu' ? await gpuName() : `CPU via wasm (${threads})`;
}
