// The one tfjs build the benchmarks load: core with its gradients and both backends, bundled together
// (see ./load.ts for why a bundle).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-webgpu';
export * from '@tensorflow/tfjs-core';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
