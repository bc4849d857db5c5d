// The training page in headless Chromium: it trains each of the three models live, the loss
// falls or the accuracy rises above chance, the plots are drawn, and choosing another layer redraws the raster.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dataFileTasks } from '@spikeflow/models';
import { chromiumPath } from '../../packages/webgpu/test/runtimes/chromium.js';
import { servePage, type ServedPage } from './page-server.js';
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

interface OpenPage {
  readonly page: ServedPage;
  readonly browser: Browser;
  readonly tab: Page;
  /** The page's console and uncaught errors, for a failing assertion's message. */
  readonly output: string[];
}

/** Serves the page, opens it in headless Chromium and waits until it has chosen its backend. */
async function openPage(): Promise<OpenPage> {
  const page = await servePage();
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const tab = await browser.newPage({ viewport: { width: 1100, height: 680 } });
  const output: string[] = [];
  tab.on('console', (m) => output.push(`console.${m.type()}: ${m.text()}`));
  tab.on('pageerror', (e) => output.push(`page error: ${e.message}`));
  await tab.goto(page.url);
  await tab.waitForFunction((key) => (globalThis as unknown as Record<string, Progress>)[key]?.backend !== 'unknown', PROGRESS_GLOBAL, { timeout: 30_000 });
  return { page, browser, tab, output };
}

/** Trains the chosen model for `steps` steps with the page's own controls; resolves to its progress once done or failed. */
async function trainFor(tab: Page, steps: number): Promise<Progress> {
  const demo = await tab.$eval('#demo', (s) => (s as HTMLSelectElement).value);
  await tab.fill('#steps', String(steps));
  await tab.click('#train');
  await tab.waitForFunction(
    ([key, chosen]) => {
      const p = (globalThis as unknown as Record<string, Progress>)[key!]!;
      return p.demo === chosen && ['done', 'error'].includes(p.phase);
    },
    [PROGRESS_GLOBAL, demo],
    { timeout: 150_000 },
  );
  return progressOf(tab);
}

const FIXTURES = new URL('../../packages/models/test/fixtures/', import.meta.url);
const fixtureBytes = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

/**
 * A data file picked in the page, trained for `steps`; it must learn by the criteria of `Case`, the
 * held-out accuracy beating the majority fraction of the held-out batch (the page's batch, drawn here again).
 */
interface FileCase {
  readonly file: string;
  readonly steps: number;
  readonly lossFactor: number;
  readonly aboveChance?: number;
}

const FILE_CASES: readonly FileCase[] = [
  // Two classes of moving bars (vertical moving right, horizontal moving down) as event streams.
  { file: 'moving-bars.csv', steps: 60, lossFactor: 0.8, aboveChance: 0.3 },
  // 6 static samples of 4 features in 3 classes: too few to generalise, so only the training loss must fall.
  { file: 'data.npz', steps: 40, lossFactor: 0.8 },
];

/** Malformed files: the page must show the loader's one error line and change nothing else. */
const BAD_FILES: readonly { readonly name: string; readonly bytes: Uint8Array }[] = [
  { name: 'truncated.npz', bytes: fixtureBytes('data.npz').subarray(0, 600) },
  { name: 'cut-row.csv', bytes: new TextEncoder().encode('sample,label,t,x,y,p\n0,0,1028,0,1,1\n0,0,1067,0\n') },
];

/** The page's state apart from its status line: what a refused file must leave as it was. */
const pageState = (tab: Page) =>
  tab.evaluate((key) => {
    const demo = document.getElementById('demo') as HTMLSelectElement;
    const text = (id: string) => document.getElementById(id)!.textContent;
    return {
      demos: Array.from(demo.options, (o) => `${o.value}: ${o.text}`),
      demo: demo.value,
      file: Array.from((document.getElementById('data-file') as HTMLInputElement).files ?? [], (f) => f.name),
      layers: Array.from((document.getElementById('layer') as HTMLSelectElement).options, (o) => o.text),
      labels: ['about', 'loss-label', 'acc-label', 'raster-label', 'weight-label'].map(text),
      canvases: ['loss', 'accuracy', 'raster', 'weights'].map((id) => (document.getElementById(id) as HTMLCanvasElement).toDataURL()),
      progress: JSON.stringify((globalThis as unknown as Record<string, Progress>)[key]),
    };
  }, PROGRESS_GLOBAL);

const rasterImage = (tab: Page): Promise<string> => tab.evaluate(() => (document.getElementById('raster') as HTMLCanvasElement).toDataURL());

describe.skipIf(!REQUIRE_WEBGPU && !existsSync(chromiumPath()))('browser training page', () => {
  it(`trains ${CASES.map((c) => c.demo).join(', ')} live, with each learning and its plots drawn`, { timeout: 300_000 }, async () => {
    const { page, browser, tab, output } = await openPage();
    console.log(`page bundle ${(page.sizes['/main.js']! / 1e6).toFixed(2)} MB, MNIST asset ${(page.sizes['/mnist.bin']! / 1e6).toFixed(2)} MB`);
    expect(page.sizes['/main.js']).toBeLessThan(MAX_BUNDLE_BYTES);
    try {

      for (const c of CASES) {
        const started = performance.now();
        await tab.selectOption('#demo', c.demo);
        const progress = await trainFor(tab, c.steps);
        const screenshot = fileURLToPath(new URL(`./screenshots/${c.demo}.png`, import.meta.url));
        await tab.screenshot({ path: screenshot, fullPage: true });
        const accuracies = progress.accuracies.map((a) => a.toFixed(2)).join(' ');
        console.log(`${c.demo} on ${progress.adapter}: ${progress.steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s, ${progress.msPerStep.toFixed(0)} ms/step, loss ${mean(progress.losses.slice(0, 5)).toFixed(3)} -> ${mean(progress.losses.slice(-5)).toFixed(3)} (means of the first and last 5), held-out accuracy ${accuracies}`);

        expect(progress.error, output.join('\n')).toBeUndefined();
        if (REQUIRE_WEBGPU) expect(progress.backend, `no WebGPU adapter in Chromium: ${await tab.textContent('#banner')}`).toBe('webgpu');
        expect(await tab.isVisible('#banner')).toBe(progress.backend === 'cpu');
        expect(progress.steps).toBe(c.steps);
        // The kernels' compilation was reported up to its end (the probe's after the step's).
        if (progress.backend === 'webgpu') expect(progress.compile.done > 0 && progress.compile.done === progress.compile.total, JSON.stringify(progress.compile)).toBe(true);
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
  it(`trains on a data file picked in the page (${FILE_CASES.map((c) => c.file).join(', ')}), and refuses a malformed one in one line`, { timeout: 300_000 }, async () => {
    const { page, browser, tab, output } = await openPage();
    try {
      for (const c of FILE_CASES) {
        const bytes = fixtureBytes(c.file);
        await tab.setInputFiles('#data-file', { name: c.file, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
        await tab.waitForFunction((name) => document.getElementById('status')!.textContent!.startsWith(`${name}:`), c.file, { timeout: 30_000 });
        expect(await tab.$eval('#demo', (s) => (s as HTMLSelectElement).selectedOptions[0]!.text)).toBe(`LIF MLP on ${c.file}`);

        // The same bytes parsed here: the shape the page must show, and the batch its accuracy is measured on.
        const split = dataFileTasks(bytes, c.file);
        const { info } = split.train;
        const heldOutLabels = Array.from(split.test!.batch(32, 7).labels!.data, Number);
        const majority = Math.max(...Array.from({ length: info.outputSize }, (_, k) => heldOutLabels.filter((l) => l === k).length)) / heldOutLabels.length;

        const progress = await trainFor(tab, c.steps);
        const accuracies = progress.accuracies.map((a) => a.toFixed(2)).join(' ');
        console.log(`${c.file} on ${progress.adapter}: ${progress.steps} steps, ${progress.msPerStep.toFixed(0)} ms/step, loss ${mean(progress.losses.slice(0, 5)).toFixed(3)} -> ${mean(progress.losses.slice(-5)).toFixed(3)}, held-out accuracy ${accuracies} (majority ${majority.toFixed(2)})`);
        expect(progress.error, output.join('\n')).toBeUndefined();
        expect(progress.steps).toBe(c.steps);
        expect(await tab.textContent('#about')).toContain(`${c.file}: ${info.inputSize} inputs → 64 LIF → ${info.outputSize} LIF, ${info.steps} steps`);
        expect(progress.losses.every(Number.isFinite), `${c.file}: finite losses`).toBe(true);
        expect(mean(progress.losses.slice(-5)), `${c.file}: loss`).toBeLessThan(c.lossFactor * mean(progress.losses.slice(0, 5)));
        expect(progress.chance).toBeCloseTo(majority, 6);
        if (c.aboveChance !== undefined) expect(Math.max(...progress.accuracies.slice(-3)), `${c.file}: held-out accuracy`).toBeGreaterThan(majority + c.aboveChance);
      }

      for (const bad of BAD_FILES) {
        const before = await pageState(tab);
        const expected = (() => {
          try {
            dataFileTasks(bad.bytes, bad.name);
          } catch (error) {
            return (error as Error).message;
          }
          throw new Error(`${bad.name} parses in Node`);
        })();
        await tab.setInputFiles('#data-file', { name: bad.name, mimeType: 'application/octet-stream', buffer: Buffer.from(bad.bytes) });
        await tab.waitForFunction((name) => /^error: .*/.test(document.getElementById('status')!.textContent!) && document.getElementById('status')!.textContent!.includes(name), bad.name, { timeout: 30_000 });
        const status = (await tab.textContent('#status'))!;
        console.log(`${bad.name}: ${status}`);
        expect(status).toBe(`error: ${expected}`);
        expect(status).toContain(bad.name);
        expect(status).not.toContain('\n');
        expect(await pageState(tab), `${bad.name}: the page apart from its status`).toEqual(before);
      }
    } finally {
      await browser.close();
      await page.close();
    }
  });
  it('applies changed settings on the next Train, refuses a bad one, pauses and resumes, and restores a saved checkpoint in a fresh page', { timeout: 300_000 }, async () => {
    const { page, browser, tab, output } = await openPage();
    const about = () => tab.textContent('#about');
    try {
      // Described before training: the default width, its layers and its size.
      await tab.selectOption('#demo', 'cue-association');
      await tab.waitForFunction(() => document.getElementById('about')!.textContent!.includes('32 LIF neurons'), undefined, { timeout: 30_000 });
      const defaults = await progressOf(tab);
      expect(defaults.phase).toBe('idle');
      expect(await tab.$$eval('#layer option', (o) => o.map((x) => x.textContent))).toEqual(['plastic recurrent LIF layer (32)']);
      expect(await about()).toContain(`${defaults.paramCount.toLocaleString('en')} params`);

      // A narrower model, described at once; the recurrent weights and plasticity coefficients are [H, H], so the count falls by more than 2·(32² − 16²).
      await tab.fill('#set-hidden', '16');
      await tab.dispatchEvent('#set-hidden', 'change');
      await tab.waitForFunction(() => document.getElementById('about')!.textContent!.includes('16 LIF neurons'), undefined, { timeout: 30_000 });
      const narrow = await progressOf(tab);
      expect(defaults.paramCount - narrow.paramCount).toBeGreaterThanOrEqual(2 * (32 * 32 - 16 * 16));

      // A bad value is refused in one line naming the field, and nothing starts.
      await tab.fill('#set-lr', '-1');
      await tab.click('#train');
      expect(await tab.textContent('#status')).toBe('error: learning rate: must be above 0, got -1');
      expect((await progressOf(tab)).phase).toBe('idle');
      await tab.fill('#set-lr', '0.03');

      // Pause: the step counter stops; resume: it goes on to the end, one loss per step.
      const steps = 30;
      await tab.fill('#steps', String(steps));
      await tab.click('#train');
      await tab.waitForFunction((key) => (globalThis as unknown as Record<string, Progress>)[key]!.steps >= 3, PROGRESS_GLOBAL, { timeout: 150_000 });
      await tab.click('#pause');
      await tab.waitForFunction(() => document.getElementById('status')!.textContent!.endsWith('— paused'), undefined, { timeout: 30_000 });
      const pausedAt = (await progressOf(tab)).steps;
      await tab.waitForTimeout(1500);
      const stillPaused = await progressOf(tab);
      expect(stillPaused.phase).toBe('paused');
      expect([stillPaused.steps, stillPaused.losses.length]).toEqual([pausedAt, pausedAt]);
      expect(pausedAt).toBeLessThan(steps);
      expect(await about(), 'the run trains the narrower model').toContain('16 LIF neurons');
      await tab.click('#pause');
      await tab.waitForFunction((key) => ['done', 'error'].includes((globalThis as unknown as Record<string, Progress>)[key]!.phase), PROGRESS_GLOBAL, { timeout: 150_000 });
      const trained = await progressOf(tab);
      expect(trained.error, output.join('\n')).toBeUndefined();
      expect([trained.steps, trained.losses.length]).toEqual([steps, steps]);
      expect(trained.accuracySteps.at(-1)).toBe(steps - 1);
      console.log(`paused at step ${pausedAt}, resumed to ${trained.steps}; held-out accuracy ${trained.accuracies.map((a) => a.toFixed(3)).join(' ')}`);

      // Save the trained state, then restore it in a fresh page load: the same held-out accuracy.
      const [saved] = await Promise.all([tab.waitForEvent('download'), tab.click('#export')]);
      const bytes = readFileSync((await saved.path())!);
      expect(saved.suggestedFilename()).toBe(`cue-association-step${steps}.spkf`);
      await tab.reload();
      await tab.waitForFunction((key) => (globalThis as unknown as Record<string, Progress>)[key]?.backend !== 'unknown', PROGRESS_GLOBAL, { timeout: 30_000 });
      await tab.setInputFiles('#checkpoint-file', { name: 'saved.spkf', mimeType: 'application/octet-stream', buffer: bytes });
      await tab.waitForFunction(() => /^(restored|error)/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 60_000 });
      const restored = await progressOf(tab);
      console.log(`restored: ${await tab.textContent('#status')}`);
      expect(restored.error, output.join('\n')).toBeUndefined();
      expect(await tab.textContent('#status')).toMatch(/^restored saved\.spkf \(step 30\)/);
      expect([restored.demo, restored.steps, restored.paramCount]).toEqual(['cue-association', steps, narrow.paramCount]);
      expect(await tab.inputValue('#set-hidden')).toBe('16');
      expect(restored.accuracies).toEqual([trained.accuracies.at(-1)]);

      // A cut file is refused in one line naming it.
      await tab.setInputFiles('#checkpoint-file', { name: 'cut.spkf', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length - 100) });
      await tab.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('error: cut.spkf: '), undefined, { timeout: 30_000 });
      expect(await tab.textContent('#status')).not.toContain('\n');
      expect((await progressOf(tab)).accuracies).toEqual(restored.accuracies);
    } finally {
      await browser.close();
      await page.close();
    }
  });
});
