// The training page in headless Chromium: it trains each of the three models live, the loss
// falls or the accuracy rises above chance, the plots are drawn, and choosing another layer redraws the raster.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { dataFileTasks } from '@spikeflow/models';
import { LIF_MLP_DEFAULTS, lifMlpSpec } from './demos/mnist-lif.js';
import { chromiumPath } from '../../packages/webgpu/test/runtimes/chromium.js';
import { servePage, type ServedPage } from './page-server.js';
import { PROGRESS_GLOBAL, type Progress } from './progress.js';
import { CART_POLE_GLOBAL, RANDOM_POLICY_RETURN, type CartPoleProgress } from './cart-pole/panel.js';

const REQUIRE_WEBGPU = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1';
const CHROMIUM_ARGS = ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
/** The page's bundle without the MNIST digits (served apart, as bytes) is about 3.2 MB (1.9 MB of it Vega and Vega-Lite, which draw the plots); with them inlined as JSON it was 21 MB. */
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
  { demo: 'mnist-lif', steps: 60, aboveChance: 0.3 },
];

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const progressOf = (tab: Page): Promise<Progress> => tab.evaluate((key) => (globalThis as unknown as Record<string, Progress>)[key]!, PROGRESS_GLOBAL);

/** Dark pixels on a canvas (the animated cart, the one drawing that is not a plot). */
function inkedPixels(tab: Page, id: string): Promise<number> {
  return tab.evaluate((c) => {
    const canvas = document.getElementById(c) as HTMLCanvasElement;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let k = 0; k < px.length; k += 4) if (px[k]! < 200 || px[k + 1]! < 200 || px[k + 2]! < 200) n++;
    return n;
  }, id);
}

/** One panel of a plot on the page, read from Vega's SVG in the DOM (each mark carries its role). */
interface PlotPanel {
  readonly axisTitles: string[];
  readonly axisLabels: string[];
  readonly titles: string[];
  /** Points of each line (one per M or L command of its path). */
  readonly lines: number[];
  readonly dashedRules: number;
  /** Filled cells: raster spikes, heat-map cells. */
  readonly cells: number;
}

interface PlotOnPage {
  /** The plot's <svg> elements: exactly one when drawn. */
  readonly svgs: number;
  readonly legend: string[];
  /** Vertically concatenated panels in order, or the whole plot as one. */
  readonly panels: PlotPanel[];
}

function plotOf(tab: Page, id: string): Promise<PlotOnPage> {
  return tab.$eval(`#${id}`, (element) => {
    const texts = (root: Element, selector: string) => Array.from(root.querySelectorAll(selector), (t) => t.textContent ?? '').filter((t) => t !== '');
    const concat = Array.from(element.querySelectorAll('g.role-scope')).filter((g) => /\bconcat_\d+_group\b/.test(g.getAttribute('class') ?? ''));
    return {
      svgs: element.querySelectorAll(':scope > svg').length,
      legend: texts(element, '.role-legend-label text'),
      panels: (concat.length > 0 ? concat : [element]).map((panel) => ({
        axisTitles: texts(panel, '.role-axis-title text'),
        axisLabels: texts(panel, '.role-axis-label text'),
        titles: texts(panel, '.role-title-text text'),
        lines: Array.from(panel.querySelectorAll('path[aria-roledescription="line mark"]'), (p) => (p.getAttribute('d')!.match(/[ML]/g) ?? []).length),
        dashedRules: panel.querySelectorAll('line[aria-roledescription="rule mark"][stroke-dasharray]').length,
        cells: panel.querySelectorAll('path[aria-roledescription="rect mark"]').length,
      })),
    };
  });
}

/** A raster panel's title says `<layer>: <units> units, <spikes> spikes (rate …)`; it must draw that many cells. */
function expectRaster(plot: PlotOnPage, layer: string, what: string): number {
  expect(plot.svgs, what).toBe(1);
  expect(plot.panels.length, what).toBe(1);
  const [panel] = plot.panels as [PlotPanel];
  expect(panel.axisTitles, what).toEqual(['time step', 'neuron']);
  const title = panel.titles[0] ?? '';
  expect(title.startsWith(`${layer}: `), `${what}: title ${title}`).toBe(true);
  const spikes = /: \d+ units, (\d+) spikes \(rate/.exec(title);
  expect(spikes, `${what}: title ${title}`).not.toBeNull();
  expect(panel.cells, what).toBe(Number(spikes![1]));
  return panel.cells;
}

interface OpenPage {
  readonly page: ServedPage;
  readonly browser: Browser;
  readonly tab: Page;
  /** The page's console and uncaught errors, for a failing assertion's message. */
  readonly output: string[];
}

/**
 * The backend the page must choose: with SPIKEFLOW_REQUIRE_WEBGPU=1 it is opened with
 * ?backend=webgpu; otherwise auto, which is the WebAssembly backend on a software adapter
 * (SwiftShader here) or without WebGPU, on every core as the page is cross-origin isolated.
 */
const PAGE_QUERY = REQUIRE_WEBGPU ? '?backend=webgpu' : '';

/** The header line names the chosen backend, its threads and why; auto takes WebGPU only on a hardware adapter. */
async function expectChosenBackend(tab: Page, output: readonly string[]): Promise<void> {
  const progress = await progressOf(tab);
  const header = (await tab.textContent('#adapter'))!;
  console.log(header);
  expect(progress.error, output.join('\n')).toBeUndefined();
  if (REQUIRE_WEBGPU) {
    expect(progress.backend, header).toBe('webgpu');
    expect(header).toMatch(/^backend: webgpu \(.+\) — asked for by \?backend=webgpu/);
    return;
  }
  if (progress.backend === 'webgpu') {
    expect(header, 'auto keeps WebGPU only on a hardware adapter').toMatch(/^backend: webgpu \(.+\) — a hardware WebGPU adapter$/);
    return;
  }
  const { cores, isolated } = await tab.evaluate(() => ({ cores: navigator.hardwareConcurrency, isolated: crossOriginIsolated }));
  expect(isolated, 'the page server sends COOP and COEP').toBe(true);
  expect(progress.backend, header).toBe('wasm');
  expect(progress.threads).toBe(cores);
  expect(header).toMatch(new RegExp(`^backend: wasm \\(${cores} threads?\\) — (WebGPU adapter is software \\(.+\\); the WebAssembly backend is faster here|no WebGPU device .+)$`));
}

/** Serves the page, opens it in headless Chromium and waits until it has chosen its backend. */
async function openPage(): Promise<OpenPage> {
  const page = await servePage();
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
  const tab = await browser.newPage({ viewport: { width: 1100, height: 680 } });
  const output: string[] = [];
  tab.on('console', (m) => output.push(`console.${m.type()}: ${m.text()}`));
  tab.on('pageerror', (e) => output.push(`page error: ${e.message}`));
  await tab.goto(`${page.url}${PAGE_QUERY}`);
  await tab.waitForFunction((key) => {
    const p = (globalThis as unknown as Record<string, Progress>)[key];
    return p !== undefined && (p.backend !== 'unknown' || p.error !== undefined);
  }, PROGRESS_GLOBAL, { timeout: 30_000 });
  await expectChosenBackend(tab, output);
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
  /** Dropped on the page rather than picked in the file input. */
  readonly drop?: boolean;
  readonly steps: number;
  readonly lossFactor: number;
  readonly aboveChance?: number;
}

const FILE_CASES: readonly FileCase[] = [
  // 6 static samples of 4 features in 3 classes: too few to generalise, so only the training loss must fall.
  { file: 'data.npz', steps: 40, lossFactor: 0.8 },
  // Two classes of moving bars (vertical moving right, horizontal moving down) as event streams.
  { file: 'moving-bars.csv', drop: true, steps: 60, lossFactor: 0.8, aboveChance: 0.3 },
];

/** Drops a file on the page, as a drag from the desktop does. */
async function dropFile(tab: Page, name: string, bytes: Uint8Array): Promise<void> {
  const transfer = await tab.evaluateHandle(([fileName, base64]) => {
    const dropped = new DataTransfer();
    dropped.items.add(new File([Uint8Array.from(atob(base64!), (c) => c.charCodeAt(0))], fileName!));
    return dropped;
  }, [name, Buffer.from(bytes).toString('base64')]);
  await tab.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
}

const statusMatches = (tab: Page, pattern: RegExp) => tab.waitForFunction((source) => new RegExp(source).test(document.getElementById('status')!.textContent!), pattern.source, { timeout: 60_000 });

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
      plots: ['curves', 'raster', 'membrane', 'weights'].map((id) => document.getElementById(id)!.innerHTML),
      progress: JSON.stringify((globalThis as unknown as Record<string, Progress>)[key]),
    };
  }, PROGRESS_GLOBAL);

const rasterImage = (tab: Page): Promise<string> => tab.evaluate(() => document.getElementById('raster')!.innerHTML);

/**
 * On the model trained last on a data file: its NIR export, dropped back on the page, scores the same
 * held-out accuracy; a spec JSON sets up a narrower model; a bad model file changes nothing.
 */
async function modelFilesRoundTrip(tab: Page, output: readonly string[], c: FileCase): Promise<void> {
  const trained = await progressOf(tab);
  const trainedRaster = await rasterImage(tab);
  const [saved] = await Promise.all([tab.waitForEvent('download', { timeout: 60_000 }), tab.click('#export-nir')]);
  expect(saved.suggestedFilename()).toBe(`user-data-step${c.steps}.nir`);
  const nirBytes = new Uint8Array(readFileSync((await saved.path())!));
  expect(Array.from(nirBytes.subarray(0, 4))).toEqual([0x89, 0x48, 0x44, 0x46]); // the HDF5 signature
  await dropFile(tab, 'trained.nir', nirBytes);
  await statusMatches(tab, /^(imported|error)/);
  const imported = await progressOf(tab);
  console.log(`NIR round trip: ${await tab.textContent('#status')} (trained: ${trained.accuracies.at(-1)})`);
  expect(imported.error, output.join('\n')).toBeUndefined();
  expect(await tab.textContent('#status')).toMatch(/^imported trained\.nir — held-out accuracy/);
  expect(imported.accuracies).toEqual([trained.accuracies.at(-1)]);
  expect(await rasterImage(tab), 'the imported model spikes as the trained one on the held-out batch').toBe(trainedRaster);
  expect([imported.demo, imported.paramCount]).toEqual(['user-data', trained.paramCount]);

  // A spec JSON of the same sizes, 16 hidden neurons: described, untrained.
  const { info } = dataFileTasks(fixtureBytes(c.file), c.file).train;
  const spec = lifMlpSpec({ inputs: info.inputSize, classes: info.outputSize }, { ...LIF_MLP_DEFAULTS, hidden: 16 });
  await dropFile(tab, 'narrow.json', new TextEncoder().encode(JSON.stringify(spec)));
  await statusMatches(tab, /^(loaded|error)/);
  expect(await tab.textContent('#status')).toBe(`loaded narrow.json: LIF MLP on ${c.file} with 16 LIF neurons — ready to train`);
  expect(await tab.textContent('#about')).toContain(`${c.file}: ${info.inputSize} inputs → 16 LIF → ${info.outputSize} LIF`);
  expect(await tab.inputValue('#set-hidden')).toBe('16');

  // Files the page cannot take: one error line each, naming the file and field, and nothing else changes.
  const slow = { ...spec, layers: spec.layers.map((l, k) => (k === 1 ? { ...l, tau: 5 } : l)) };
  const bad: readonly [string, Uint8Array, string][] = [
    ['notes.txt', new TextEncoder().encode('hello'), 'error: notes.txt: not a model file: a checkpoint starts with "SPKFCKPT", a NIR file with the HDF5 signature, a spec JSON with "{"'],
    ['slow.json', new TextEncoder().encode(JSON.stringify(slow)), "error: slow.json: layers[1].tau: the page's LIF MLP has 2, the file has 5"],
    ['cut.nir', nirBytes.subarray(0, 2000), 'error: '],
  ];
  for (const [name, bytes, expected] of bad) {
    const before = await pageState(tab);
    await dropFile(tab, name, bytes);
    await statusMatches(tab, new RegExp(`^error: .*${name.replace('.', '\\.')}`));
    const status = (await tab.textContent('#status'))!;
    console.log(`${name}: ${status}`);
    expect(status.startsWith(expected), status).toBe(true);
    expect(status).toContain(name);
    expect(status).not.toContain('\n');
    expect(await pageState(tab), `${name}: the page apart from its status`).toEqual(before);
  }
}

/** The cart-pole agent must beat a random policy's mean return (measured, about 22) by this margin over its last 20 episodes. */
const CART_POLE_MARGIN = 10;
const CART_POLE_STEPS = 6000;
const cartPoleOf = (tab: Page): Promise<CartPoleProgress> => tab.evaluate((key) => (globalThis as unknown as Record<string, CartPoleProgress>)[key]!, CART_POLE_GLOBAL);
const canvasImage = (tab: Page, id: string): Promise<string> => tab.evaluate((c) => (document.getElementById(c) as HTMLCanvasElement).toDataURL(), id);

/**
 * The page's four plots after a run, against the run's own record: the loss line has a point per
 * step and the accuracy line one per probe, in their own panels with axis titles, tick labels and
 * the dashed chance line; the raster draws a cell per spike it counts; the membrane traces a line
 * per traced neuron with the dashed threshold; the heat map its cells with a colour legend.
 */
async function expectPlots(tab: Page, demo: string, progress: Progress): Promise<void> {
  const curves = await plotOf(tab, 'curves');
  expect(curves.svgs, `${demo}: curves`).toBe(1);
  const [loss, accuracy] = curves.panels as [PlotPanel, PlotPanel];
  expect(curves.panels.length, `${demo}: a loss and an accuracy panel`).toBe(2);
  expect(loss.axisTitles).toEqual(['training step', 'loss']);
  expect(accuracy.axisTitles).toEqual(['training step', 'accuracy']);
  expect(loss.lines, `${demo}: a loss point per step`).toEqual([progress.losses.length]);
  expect(accuracy.lines, `${demo}: an accuracy point per probe`).toEqual([progress.accuracies.length]);
  expect(accuracy.axisLabels).toEqual(expect.arrayContaining(['0%', '100%']));
  expect(loss.axisLabels).toContain('0');
  expect([loss.dashedRules, accuracy.dashedRules], `${demo}: the chance line in the accuracy panel`).toEqual([0, 1]);
  expect(curves.legend).toEqual(['train loss', 'held-out loss', 'held-out accuracy', `chance (${Number(progress.chance.toPrecision(3))})`]);

  expectRaster(await plotOf(tab, 'raster'), progress.layer, `${demo}: raster`);

  const membrane = await plotOf(tab, 'membrane');
  const [traces] = membrane.panels as [PlotPanel];
  expect(traces.axisTitles).toEqual(['time step', 'membrane']);
  expect(traces.lines.length, `${demo}: traced neurons`).toBeGreaterThanOrEqual(1);
  expect(traces.lines.length).toBeLessThanOrEqual(5);
  expect(new Set(traces.lines).size, `${demo}: every trace spans the same steps`).toBe(1);
  expect(traces.dashedRules, `${demo}: the threshold line`).toBe(1);
  expect(membrane.legend.at(-1)).toMatch(/^threshold \(/);

  const weights = await plotOf(tab, 'weights');
  expect(weights.panels[0]!.axisTitles.length).toBe(2);
  expect(weights.panels[0]!.cells, `${demo}: weight cells`).toBeGreaterThan(0);
  expect(weights.legend.length, `${demo}: the colour legend's tick values`).toBeGreaterThan(1);
}

describe.skipIf(!REQUIRE_WEBGPU && !existsSync(chromiumPath()))('browser training page', () => {
  it(`trains ${CASES.map((c) => c.demo).join(', ')} live, with each learning and its plots drawn`, { timeout: 480_000 }, async () => {
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

        await expectPlots(tab, c.demo, progress);

        // Every spiking layer is offered, and choosing one redraws the raster with its spikes.
        const layers = await tab.$$eval('#layer option', (options) => options.map((o) => (o as HTMLOptionElement).value));
        expect(layers.length, `${c.demo}: spiking layers to choose from`).toBeGreaterThanOrEqual(1);
        for (const layer of layers.slice(1)) {
          const before = await rasterImage(tab);
          await tab.selectOption('#layer', layer);
          const chosen = await progressOf(tab);
          expect(chosen.layer, `${c.demo}: the chosen layer`).toBe(await tab.$eval('#layer', (s) => (s as HTMLSelectElement).selectedOptions[0]!.textContent));
          // Redrawn within the plots' throttle (500 ms).
          await tab.waitForFunction((old) => document.getElementById('raster')!.innerHTML !== old, before, { timeout: 10_000 });
          expect(expectRaster(await plotOf(tab, 'raster'), chosen.layer, `${c.demo}: raster of ${layer}`), `${c.demo}: raster of ${layer} has spikes`).toBeGreaterThan(20);
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
        if (c.drop) await dropFile(tab, c.file, bytes);
        else await tab.setInputFiles('#data-file', { name: c.file, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
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
        await tab.screenshot({ path: fileURLToPath(new URL(`./screenshots/data-file-${c.file.replace(/\W/g, '-')}.png`, import.meta.url)), fullPage: true });
      }
      await modelFilesRoundTrip(tab, output, FILE_CASES.at(-1)!);

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
  it(`runs the cart-pole LSM for ${CART_POLE_STEPS} environment steps, animating the cart, and its returns beat a random policy's`, { timeout: 300_000 }, async () => {
    const { page, browser, tab, output } = await openPage();
    try {
      await tab.click('#cartpole-run');
      await tab.waitForFunction((key) => ((globalThis as unknown as Record<string, CartPoleProgress>)[key]?.frames ?? 0) >= 2, CART_POLE_GLOBAL, { timeout: 60_000 });
      const firstFrame = await canvasImage(tab, 'cartpole-cart');
      await tab.waitForFunction((key) => ((globalThis as unknown as Record<string, CartPoleProgress>)[key]?.frames ?? 0) >= 6, CART_POLE_GLOBAL, { timeout: 60_000 });
      expect(await canvasImage(tab, 'cartpole-cart'), 'the cart moves between frames').not.toBe(firstFrame);
      await tab.waitForFunction(([key, steps]) => {
        const p = (globalThis as unknown as Record<string, CartPoleProgress>)[key as string]!;
        return p.envSteps >= (steps as number) || p.phase === 'error';
      }, [CART_POLE_GLOBAL, CART_POLE_STEPS] as const, { timeout: 240_000 });
      await tab.click('#cartpole-stop');
      await tab.waitForFunction((key) => ['done', 'error'].includes((globalThis as unknown as Record<string, CartPoleProgress>)[key]!.phase), CART_POLE_GLOBAL, { timeout: 30_000 });
      const run = await cartPoleOf(tab);
      await tab.locator('#cartpole').screenshot({ path: fileURLToPath(new URL('./screenshots/cart-pole.png', import.meta.url)) });
      const last = run.returns.slice(-20);
      const mean = last.reduce((a, r) => a + r, 0) / last.length;
      const blocks = Array.from({ length: Math.ceil(run.returns.length / 20) }, (_, k) => run.returns.slice(20 * k, 20 * k + 20)).map((b) => (b.reduce((a, r) => a + r, 0) / b.length).toFixed(1));
      console.log(`cart-pole: ${run.envSteps} env steps, ${run.returns.length} episodes, ${run.frames} frames; mean return per 20 episodes ${blocks.join(' ')}`);
      expect(run.error, output.join('\n')).toBeUndefined();
      // Every return counts the steps of one episode (reward 1 each, at most 500), and the episodes together took no more steps than ran.
      expect(run.returns.every((r) => Number.isInteger(r) && r >= 1 && r <= 500)).toBe(true);
      expect(run.returns.reduce((a, r) => a + r, 0)).toBeLessThanOrEqual(run.envSteps);
      expect(mean, 'mean return of the last 20 episodes').toBeGreaterThan(RANDOM_POLICY_RETURN + CART_POLE_MARGIN);
      expect(await inkedPixels(tab, 'cartpole-cart'), 'the cart is drawn').toBeGreaterThan(100);
      // The plots were drawn once more when the run stopped: the returns line has a point per episode.
      const returns = await plotOf(tab, 'cartpole-returns');
      expect(returns.panels[0]!.axisTitles).toEqual(['episode', 'return']);
      expect(returns.panels[0]!.lines).toEqual([run.returns.length]);
      expect(returns.panels[0]!.dashedRules, 'the random policy line').toBe(1);
      expect(returns.legend).toEqual(['episode return', `random policy (${RANDOM_POLICY_RETURN})`]);
      expect(expectRaster(await plotOf(tab, 'cartpole-raster'), 'reservoir', 'cart-pole raster'), 'reservoir spikes').toBeGreaterThan(0);
      const readout = await plotOf(tab, 'cartpole-readout');
      expect(readout.panels[0]!.axisTitles).toEqual(['reservoir neuron', 'action']);
      expect(readout.panels[0]!.cells, 'a cell per reservoir neuron and action').toBe(2 * 100);
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
      await expectChosenBackend(tab, output);
      await tab.setInputFiles('#model-file', { name: 'saved.spkf', mimeType: 'application/octet-stream', buffer: bytes });
      await tab.waitForFunction(() => /^(restored|error)/.test(document.getElementById('status')!.textContent!), undefined, { timeout: 60_000 });
      const restored = await progressOf(tab);
      console.log(`restored: ${await tab.textContent('#status')}`);
      expect(restored.error, output.join('\n')).toBeUndefined();
      expect(await tab.textContent('#status')).toMatch(/^restored saved\.spkf \(step 30\)/);
      expect([restored.demo, restored.steps, restored.paramCount]).toEqual(['cue-association', steps, narrow.paramCount]);
      expect(await tab.inputValue('#set-hidden')).toBe('16');
      expect(restored.accuracies).toEqual([trained.accuracies.at(-1)]);

      // A cut file is refused in one line naming it.
      await tab.setInputFiles('#model-file', { name: 'cut.spkf', mimeType: 'application/octet-stream', buffer: bytes.subarray(0, bytes.length - 100) });
      await tab.waitForFunction(() => document.getElementById('status')!.textContent!.startsWith('error: cut.spkf: '), undefined, { timeout: 30_000 });
      expect(await tab.textContent('#status')).not.toContain('\n');
      expect((await progressOf(tab)).accuracies).toEqual(restored.accuracies);
    } finally {
      await browser.close();
      await page.close();
    }
  });
});
