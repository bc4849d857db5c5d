import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT_TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

/**
 * One ES module holding an entry (a file URL or an absolute path) and everything it imports, for
 * Deno or a browser. Platform 'browser' makes any Node import a build error, so what runs there
 * stays portable. The root tsconfig's paths map @spikeflow/* to their sources, as vitest does, so
 * no build is needed.
 */
export async function bundleEntry(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry.startsWith('file:') ? fileURLToPath(entry) : entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    tsconfig: ROOT_TSCONFIG,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
