// @spikeflow/nir in a browser: the round trip of browser-round-trip.ts (readNir, importNir, a run on
// the CPU interpreter, exportNir, writeNir, readNir again) runs in headless Chromium, through the
// same launcher as the WebGPU runtime tests, on an esbuild bundle for the browser platform (h5wasm's
// ESM build with its embedded WebAssembly), and must give exactly what the same code gives in Node.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundleEntry } from '../../../scripts/bundle-entry.js';
import { chromiumPath, runPageInChromium } from '../../webgpu/test/runtimes/chromium.js';
import { INPUT_GLOBAL, RESULT_GLOBAL, ROUND_TRIP_FILE, nirRoundTrip, type RoundTripResult } from './browser-round-trip.js';
import { readSharedNir } from './shared-files.js';

const RUN_TIMEOUT_MS = 45_000;

describe('@spikeflow/nir in headless Chromium', () => {
  it(`reads, imports, runs, writes and re-reads ${ROUND_TRIP_FILE} exactly as in Node`, async () => {
    const executable = chromiumPath();
    if (!existsSync(executable)) {
      throw new Error(`no Chromium at ${executable} (scripts/setup.sh installs Debian's chromium; CHROMIUM_PATH overrides)`);
    }
    const bytes = readSharedNir(ROUND_TRIP_FILE);
    const bundle = await bundleEntry(new URL('./browser-entry.ts', import.meta.url).href);
    const script = `globalThis[${JSON.stringify(INPUT_GLOBAL)}] = ${JSON.stringify(Buffer.from(bytes).toString('base64'))};\n${bundle}`;
    const inBrowser = (await runPageInChromium(script, RESULT_GLOBAL, RUN_TIMEOUT_MS)) as RoundTripResult | { error: string };
    if ('error' in inBrowser) throw new Error(`the round trip failed in Chromium: ${inBrowser.error}`);

    const inNode = await nirRoundTrip(bytes);
    expect(inBrowser).toEqual(inNode);
    // What the Node run itself must show, so the equality above is between meaningful results.
    expect(inNode.reReadNodeTypes).toEqual(inNode.nodeTypes);
    expect(inNode.nodeTypes).toContainEqual(['lif1.lif', 'CubaLIF']);
    expect(inNode.writtenBytes).toBeGreaterThan(0);
    expect(inNode.outputs.output).toHaveLength(8 * 1 * 7);
    expect(inNode.outputs.output!.some((s) => s !== 0)).toBe(true);
    const spikes = inNode.outputs['lif1.lif']!;
    expect(spikes).toHaveLength(8 * 1 * 38);
    expect(spikes.every((s) => s === 0 || s === 1)).toBe(true);
  }, 60_000);
});
