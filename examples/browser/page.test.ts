// The training page in headless Chromium: it trains each of the three models live, the loss
// falls or the accuracy rises above chance, the plots are drawn, and choosing another layer redraws the raster.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath } from '../../packages/webgpu/test/runtimes/chromium.js';
import { servePage } from './page-server.js';
import { PROGRESS_GLOBAL, type Progress } from './progress.js';

const REQUIRE_WEBGPU = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1';
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const CANVASES = ['loss', 'accuracy', 'raster', 'membrane', 'weights'];
/** The page's bundle without the MNIST digits (served apart, as bytes) is about 1 MB; with them inlined as JSON it was 21 MB. */
const MAX_BUNDLE_BYTES = 4_000_000;

/**
 * Each demo trains for a bounded number of steps and must show it learned, by each criterion given:
 * - lossFactor: the mean loss of the last 5 steps is at most this fraction of the first 5's;
 * - aboveChance: the best held-out accuracy of the last 3 probes beats the demo's chance by this margin.
 */
interface Case {
  readonly demo: string;
  readonly steps: number;
  readonly lossFactor?: number;
  readonly aboveChance?: number;
}

const CASES: readonly Case[] = [
  { demo: 'store-recall', steps: 100, lossFactor: 0.8 },
  { demo: 'psn-smnist', steps: 50, aboveChance: 0.2 },
  { demo: 'cue-association', steps: 100, lossFactor: 0.75, aboveChance: 0.15 },
];

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const progressOf = (tab: Page): Promise<Progress> => tab.evaluate((key) => (globalThis as unknown as Record<string, Progress>)[key]!, PROGRESS_GLOBAL);

/** Dark pixels inside each canvas's plot area: data, not the axes, tick values or light reference lines around or under it. */
function inkedPixels(tab: Page, ids: readonly string[]): Promise<number[]> {
  return tab.evaluate((list) =>
    list.map((id) => {
      const c = document.getElementById(id) as HTMLCanvasElement;
      const [x, y, w, h] = (c.dataset.plotArea ?? `0 0 ${c.width} ${c.height}`).split(' ').map(Number) as [number, number, number, number];
      const px = c.getContext('2d')!.getImageData(x, y, w, h).data;
      let n = 0;
      for (let k = 0; k < px.length; k += 4) if (px[k]! < 200 || px[k + 1]! < 200 || px[k + 2]! < 200) n++;
      return n;
    }), ids);
}

const rasterImage = (tab: Page): Promise<string> => tab.evaluate(() => (document.getElementById('raster') as HTMLCanvasElement).toDataURL());

describe.skipIf(!REQUIRE_WEBGPU && !existsSync(chromiumPath()))('browser training page', () => {
  it(`trains ${CASES.map((c) => c.demo).join(', ')} live, with each learning and its plots drawn`, { timeout: 300_000 }, async () => {
    const page = await servePage();
    console.log(`page bundle ${(page.sizes['/main.js']! / 1e6).toFixed(2)} MB, MNIST asset ${(page.sizes['/mnist.bin']! / 1e6).toFixed(2)} MB`);
    expect(page.sizes['/main.js']).toBeLessThan(MAX_BUNDLE_BYTES);
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    try {
      const tab = await browser.newPage({ viewport: { width: 1100, height: 680 } });
      const output: string[] = [];
      tab.on('console', (m) => output.push(`console.${m.type()}: ${m.text()}`));
      tab.on('pageerror', (e) => output.push(`page error: ${e.message}`));
      await tab.goto(page.url);
      await tab.waitForFunction((key) => (globalThis as unknown as Record<string, Progress>)[key]?.backend !== 'unknown', PROGRESS_GLOBAL, { timeout: 30_000 });

      for (const c of CASES) {
        const started = performance.now();
        await tab.selectOption('#demo', c.demo);
        await tab.fill('#steps', String(c.steps));
        await tab.click('#train');
        await tab.waitForFunction(
          ([key, demo]) => {
            const p = (globalThis as unknown as Record<string, Progress>)[key!]!;
            return p.demo === demo && ['done', 'error'].includes(p.phase);
          },
          [PROGRESS_GLOBAL, c.demo],
          { timeout: 150_000 },
        );
        const progress = await progressOf(tab);
        const screenshot = fileURLToPath(new URL(`./screenshots/${c.demo}.png`, import.meta.url));
        await tab.screenshot({ path: screenshot, fullPage: true });
        const accuracies = progress.accuracies.map((a) => a.toFixed(2)).join(' ');
        console.log(`${c.demo} on ${progress.adapter}: ${progress.steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s, ${progress.msPerStep.toFixed(0)} ms/step, loss ${mean(progress.losses.slice(0, 5)).toFixed(3)} -> ${mean(progress.losses.slice(-5)).toFixed(3)} (means of the first and last 5), held-out accuracy ${accuracies}`);

        expect(progress.error, output.join('\n')).toBeUndefined();
        if (REQUIRE_WEBGPU) expect(progress.backend, `no WebGPU adapter in Chromium: ${await tab.textContent('#banner')}`).toBe('webgpu');
        expect(await tab.isVisible('#banner')).toBe(progress.backend === 'cpu');
        expect(progress.steps).toBe(c.steps);
        if (c.lossFactor !== undefined) expect(mean(progress.losses.slice(-5)), `${c.demo}: loss`).toBeLessThan(c.lossFactor * mean(progress.losses.slice(0, 5)));
        if (c.aboveChance !== undefined) expect(Math.max(...progress.accuracies.slice(-3)), `${c.demo}: held-out accuracy`).toBeGreaterThan(progress.chance + c.aboveChance);

        const inked = await inkedPixels(tab, CANVASES);
        for (const [k, id] of CANVASES.entries()) expect(inked[k], `${c.demo}: ${id} canvas has data`).toBeGreaterThan(100);

        // Every spiking layer is offered, and choosing one redraws the raster with its spikes.
        const layers = await tab.$$eval('#layer option', (options) => options.map((o) => (o as HTMLOptionElement).value));
        expect(layers.length, `${c.demo}: spiking layers to choose from`).toBeGreaterThanOrEqual(1);
        for (const layer of layers.slice(1)) {
          const before = await rasterImage(tab);
          await tab.selectOption('#layer', layer);
          const chosen = await progressOf(tab);
          expect(chosen.layer, `${c.demo}: the chosen layer`).toBe(await tab.$eval('#layer', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent));
          expect(await rasterImage(tab), `${c.demo}: the raster of ${layer}`).not.toBe(before);
          expect((await inkedPixels(tab, ['raster']))[0], `${c.demo}: raster of ${layer} has spikes`).toBeGreaterThan(20);
        }
      }
    } finally {
      await browser.close();
      await page.close();
    }
  });
});
