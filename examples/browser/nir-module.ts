import type { NirModule } from './demos/mlp-nir.js';

/** Where the page server serves nir-entry.ts's bundle. */
export const NIR_MODULE_PATH = '/nir.js';

let loading: Promise<NirModule> | undefined;

/** @spikeflow/nir, loaded on first use; the URL is computed at run time so the bundler leaves it out of main.js. */
export function loadNir(): Promise<NirModule> {
  loading ??= (import(new URL(NIR_MODULE_PATH, location.href).href) as Promise<NirModule>).catch((error: unknown) => {
    loading = undefined;
    throw new Error(`NIR support (${NIR_MODULE_PATH}) did not load: ${error instanceof Error ? error.message : String(error)}`);
  });
  return loading;
}
