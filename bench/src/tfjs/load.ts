import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { nodeGpu } from '@spikeflow/webgpu/node';

/** tfjs as bundled from ./bundle-entry.ts. */
export type Tf = typeof import('./bundle-entry.js');
export type TfBackend = 'webgpu' | 'wasm';

const here = path.dirname(fileURLToPath(import.meta.url));
const bundleFile = path.join(here, '..', '..', '.cache', 'tfjs.mjs');

// The bundle is ESM run by Node, but parts of tfjs (the emscripten loader of the wasm backend)
// expect CommonJS's require, __filename and __dirname.
const COMMONJS_SHIMS = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  "import { dirname as __pathDirname } from 'node:path';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  'const __dirname = __pathDirname(__filename);',
].join('\n');

let loaded: Promise<Tf> | undefined;

/** The installed tfjs-core version, for the report. */
export const TFJS_VERSION = (createRequire(import.meta.url)('@tensorflow/tfjs-core/package.json') as { version: string }).version;

/**
 * tfjs-core, its gradients and the webgpu and wasm backends as ONE esbuild bundle. Through their
 * published Node entry points the backends and the core end up as separate module instances and
 * no gradient is registered; bundled from the ESM sources (`module` field) they share one engine.
 * The harness builds it once per run; each implementation's process then only loads it.
 */
export async function buildTfjsBundle(): Promise<void> {
  await build({
    entryPoints: [path.join(here, 'bundle-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    mainFields: ['module', 'main'],
    outfile: bundleFile,
    banner: { js: COMMONJS_SHIMS },
    logLevel: 'error',
  });
}

/**
 * tfjs from the bundle (built first if missing). The webgpu backend finds dawn.node's GPU through
 * navigator.gpu, the object @spikeflow/webgpu keeps alive for the whole process (dawn.node crashes
 * if it is garbage-collected).
 */
export function loadTfjs(): Promise<Tf> {
  loaded ??= (async () => {
    if (!existsSync(bundleFile)) await buildTfjsBundle();
    const gpu = await nodeGpu();
    Object.assign(globalThis, { navigator: { gpu, userAgent: 'node' } });
    const tf = (await import(pathToFileURL(bundleFile).href)) as Tf;
    // The wasm backend loads its .wasm files from this folder (a file path in Node).
    const wasmPackage = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json');
    tf.setWasmPaths(path.join(path.dirname(wasmPackage), 'dist') + path.sep);
    return tf;
  })();
  return loaded;
}

/** Switches tfjs to `backend`, failing loudly instead of silently staying on another one. */
export async function useBackend(tf: Tf, backend: TfBackend): Promise<void> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not initialise its ${backend} backend`);
  await tf.ready();
}

/** What a tfjs backend runs on, for the result rows. */
export async function describeBackend(tf: Tf, backend: TfBackend, gpuName: string): Promise<string> {
  if (backend === 'webgpu') return gpuName;
  const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `CPU via wasm (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'multi-threaded' : 'single-threaded'})`;
}
