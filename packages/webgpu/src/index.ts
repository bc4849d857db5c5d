/** @spikeflow/webgpu will hold the compiler from graphs to WGSL kernels and one executable, with device setup for browser, Deno and Node; nothing is exported yet. */
export {};
