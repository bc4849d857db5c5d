/** What the parity page (chromium-entry.ts) stores on `globalThis[PARITY_REPORT_GLOBAL]` when it is done. */
export interface ChromiumParityReport {
  /** The threads the page backend opened on, and whether its worker could share memory. */
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  /** Each case's outputs by name, as plain numbers (the shapes and dtypes are the reference's). */
  readonly outputs: Record<string, Record<string, number[]>>;
  /** Cases that threw, with the error's message. */
  readonly errors: Record<string, string>;
  /** Set when the backend could not be opened at all. */
  readonly failure?: string;
  /** Wall time of compiling and running the cases, in the page. */
  readonly ms: number;
}

export const PARITY_REPORT_GLOBAL = '__wasmParityReport';
/** Where the test's server serves chromium-worker-entry.ts's bundle. */
export const PARITY_WORKER_PATH = '/worker.js';
