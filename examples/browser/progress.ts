/** What the page exposes on `window.__spikeflow`, for a test (or a console) to follow the run. */
export interface Progress {
  phase: 'idle' | 'loading' | 'training' | 'done' | 'error';
  backend: 'webgpu' | 'cpu' | 'unknown';
  adapter: string;
  demo: string;
  steps: number;
  losses: number[];
  accuracies: number[];
  msPerStep: number;
  error?: string;
}

export const PROGRESS_GLOBAL = '__spikeflow';
