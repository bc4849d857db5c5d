/** What the page exposes on `window.__spikeflow`, for a test (or a console) to follow the run. */
export interface Progress {
  phase: 'idle' | 'loading' | 'training' | 'paused' | 'done' | 'error';
  backend: 'webgpu' | 'wasm' | 'cpu' | 'unknown';
  /** Threads the backend trains on: the WebAssembly backend's pool (1 where the page is not cross-origin isolated); 1 for the others, 0 before the choice. */
  threads: number;
  adapter: string;
  demo: string;
  /** The layer whose raster and membranes are shown. */
  layer: string;
  /** Trainable elements of the described model (shown before training starts). */
  paramCount: number;
  steps: number;
  losses: number[];
  /** Held-out accuracy at each probe, and the training step (0-based) it followed. */
  accuracies: number[];
  accuracySteps: number[];
  /** The demo's chance accuracy. */
  chance: number;
  msPerStep: number;
  /** The last report of kernel compilation (WebGPU only): unique GPU pipelines compiled of those the graph needs. */
  compile: { done: number; total: number };
  error?: string;
}

export const PROGRESS_GLOBAL = '__spikeflow';
