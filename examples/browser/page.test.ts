// The training page in headless Chromium: it trains the LIF MLP on MNIST live, the loss falls and the plots are drawn.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumPath } from '../../packages/webgpu/test/runtimes/chromium.js';
import { servePage } from './page-server.js';
import { PROGRESS_GLOBAL, type Progress } from './progress.js';

const REQUIRE_WEBGPU = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1';
const STEPS = 40;
/** The mean loss of the last 5 steps must be at most this fraction of the first 5's. */
const LOSS_FACTOR = 0.8;
const SCREENSHOT = fileURLToPath(new URL('./screenshot.png', import.meta.url));
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe.skipIf(!REQUIRE_WEBGPU && !existsSync(chromiumPath()))('browser training page', () => {
  it(`trains the LIF MLP on MNIST for ${STEPS} steps, with the loss falling and the plots drawn`, { timeout: 120_000 }, async () => {
    const page = await servePage();
    const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
    try {
      const tab = await browser.newPage({ viewport: { width: 1100, height: 620 } });
      const output: string[] = [];
      tab.on('console', (m) => output.push(`console.${m.type()}: ${m.text()}`));
      tab.on('pageerror', (e) => output.push(`page error: ${e.message}`));
      await tab.goto(page.url);
      await tab.waitForFunction((key) => (globalThis as unknown as Record<string, Progress>)[key]?.backend !== 'unknown', PROGRESS_GLOBAL, { timeout: 30_000 });
      await tab.selectOption('#demo', 'mnist-lif');
      await tab.fill('#steps', String(STEPS));
      await tab.click('#train');
      await tab.waitForFunction((key) => ['done', 'error'].includes((globalThis as unknown as Record<string, Progress>)[key]!.phase), PROGRESS_GLOBAL, { timeout: 100_000 });
      const progress = await tab.evaluate((key) => (globalThis as unknown as Record<string, Progress>)[key]!, PROGRESS_GLOBAL);
      await tab.screenshot({ path: SCREENSHOT, fullPage: true });
      console.log(`page on ${progress.adapter}: ${progress.steps} steps, ${progress.msPerStep.toFixed(0)} ms/step, loss ${progress.losses[0]?.toFixed(3)} -> ${progress.losses.at(-1)?.toFixed(3)}, accuracy ${progress.accuracies.map((a) => a.toFixed(2)).join(' ')}; screenshot ${SCREENSHOT}`);

      expect(progress.error, output.join('\n')).toBeUndefined();
      if (REQUIRE_WEBGPU) expect(progress.backend, `no WebGPU adapter in Chromium: ${await tab.textContent('#banner')}`).toBe('webgpu');
      expect(await tab.isVisible('#banner')).toBe(progress.backend === 'cpu');
      expect(progress.steps).toBe(STEPS);
      expect(mean(progress.losses.slice(-5))).toBeLessThan(LOSS_FACTOR * mean(progress.losses.slice(0, 5)));

      // Plots hold only data on a white ground, so the count of non-white pixels tells a drawn plot from a blank one.
      const inked = await tab.evaluate((ids) =>
        ids.map((id) => {
          const c = document.getElementById(id) as HTMLCanvasElement;
          const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let k = 0; k < px.length; k += 4) if (px[k]! < 250 || px[k + 1]! < 250 || px[k + 2]! < 250) n++;
          return n;
        }), ['loss', 'accuracy', 'raster', 'membrane', 'weights']);
      for (const [k, id] of ['loss', 'accuracy', 'raster', 'membrane', 'weights'].entries()) expect(inked[k], `${id} canvas has data`).toBeGreaterThan(100);
    } finally {
      await browser.close();
      await page.close();
    }
  });
});
