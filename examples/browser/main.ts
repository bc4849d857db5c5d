// The page: pick a demo, train it live on WebGPU (or the CPU interpreter, with a banner), plot as it learns.
import type { HostTensor } from '@spikeflow/core';
import { selectBackend, type Backend } from '@spikeflow/webgpu';
import { DEMOS, type Demo, type DemoLayer } from './demos/index.js';
import { dataFileDemo } from './demos/data-file.js';
import { errorLine, watchDataFile, type PickedData } from './data-file-input.js';
import { createEngine, type Engine } from './engine.js';
import { fetchMnist } from './mnist-asset.js';
import { drawCurves, drawHeatmap, drawRaster, drawTraces } from './plots.js';
import { PROGRESS_GLOBAL, type Progress } from './progress.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const canvas = (id: string): HTMLCanvasElement => $<HTMLCanvasElement>(id);
/** The probe (a second graph run plus readbacks) every few steps, so it costs little of the training time. */
const PROBE_EVERY = 5;
const RASTER_SAMPLES = 4;

const progress: Progress = { phase: 'idle', backend: 'unknown', adapter: '', demo: '', layer: '', steps: 0, losses: [], accuracies: [], accuracySteps: [], chance: 0, msPerStep: 0 };
(globalThis as Record<string, unknown>)[PROGRESS_GLOBAL] = progress;

const select = $<HTMLSelectElement>('demo');
const layerSelect = $<HTMLSelectElement>('layer');
for (const [value, { label }] of Object.entries(DEMOS)) select.add(new Option(label, value));
/** A data file the user picked (docs/data.md), offered as one more model choice. */
const USER_DATA = 'user-data';
let userData: PickedData | undefined;
const dataInput = $<HTMLInputElement>('data-file');
watchDataFile(
  dataInput,
  (picked) => {
    userData = picked;
    Array.from(select.options).find((o) => o.value === USER_DATA)?.remove();
    select.add(new Option(`LIF MLP on ${picked.name}`, USER_DATA));
    select.value = USER_DATA;
    const { info } = picked.tasks.train;
    $('status').textContent = `${picked.name}: ${info.outputSize} classes, ${info.inputSize} inputs over ${info.steps} steps — ready to train`;
  },
  (line) => ($('status').textContent = `error: ${line}`),
);
let stopRequested = false;
/** The last probe's outputs, so choosing another layer redraws at once, during training or after it. */
let lastProbe: Record<string, HostTensor> | undefined;
/** The running demo's spiking layers, in the order of the layer <select>. */
let layers: readonly DemoLayer[] = [];

/** Lets the browser paint and handle input between steps; the timeout covers pages where rAF is throttled. */
const nextFrame = (): Promise<void> => new Promise((resolve) => {
  requestAnimationFrame(() => resolve());
  setTimeout(resolve, 100);
});

let backendPromise: Promise<Backend> | undefined;
/** One device for the page's lifetime; the fallback reason is shown, never hidden. */
async function backend(): Promise<Backend> {
  backendPromise ??= selectBackend({ label: 'spikeflow page' }).then((b) => {
    progress.backend = b.kind;
    progress.adapter = b.kind === 'webgpu' ? b.ctx.adapterInfo : 'CPU reference interpreter';
    $('adapter').textContent = b.kind === 'webgpu' ? `device: WebGPU — ${b.ctx.adapterInfo}` : 'device: CPU reference interpreter (slow)';
    if (b.kind === 'cpu') {
      $('banner').textContent = `WebGPU is not available, so training runs on the CPU reference interpreter. ${b.reason}`;
      $('banner').classList.add('shown');
    }
    return b;
  });
  return backendPromise;
}

/** The raster and membranes of the chosen layer, from the last probe. */
function drawLayer(): void {
  const layer = layers[layerSelect.selectedIndex];
  progress.layer = layer?.label ?? '';
  if (!lastProbe || !layer) return;
  $('raster-label').textContent = layer.label;
  $('membrane-label').textContent = layer.label;
  drawRaster(canvas('raster'), lastProbe[layer.spikes]!, RASTER_SAMPLES);
  drawTraces(canvas('membrane'), lastProbe[layer.membrane]!);
}

async function probe(engine: Engine, demo: Demo, step: number): Promise<void> {
  lastProbe = await engine.probe(demo.heldOut.feeds);
  progress.accuracies.push(demo.heldOut.accuracy(lastProbe[demo.scores]!));
  progress.accuracySteps.push(step);
  const acc = progress.accuracies;
  drawCurves(canvas('accuracy'), [{ values: acc, x: progress.accuracySteps, color: '#2ca02c' }], { x: 'training step', y: 'held-out accuracy' }, { yRange: [0, 1], reference: demo.chance });
  $('acc-label').textContent = `${(100 * acc[acc.length - 1]!).toFixed(1)}% (chance ${(100 * demo.chance).toFixed(0)}%)`;
  drawLayer();
  drawHeatmap(canvas('weights'), await engine.param(demo.weight.param), demo.weight);
}

/** Fills the layer <select> with the demo's spiking layers. */
function showLayers(demo: Demo): void {
  layers = demo.layers;
  layerSelect.replaceChildren(...layers.map((l) => new Option(l.label, l.spikes)));
  progress.layer = layers[0]?.label ?? '';
}

async function train(): Promise<void> {
  const setBusy = (busy: boolean) => {
    $<HTMLButtonElement>('train').disabled = busy;
    $<HTMLButtonElement>('stop').disabled = !busy;
    select.disabled = busy;
    dataInput.disabled = busy;
  };
  setBusy(true);
  stopRequested = false;
  lastProbe = undefined;
  Object.assign(progress, { phase: 'loading', demo: select.value, steps: 0, losses: [], accuracies: [], accuracySteps: [], msPerStep: 0 });
  delete progress.error;
  try {
    $('status').textContent = 'loading data and compiling…';
    const [b, demo] = await Promise.all([backend(), select.value === USER_DATA ? dataFileDemo(userData!.tasks, userData!.name) : DEMOS[select.value]!.load({ mnist: fetchMnist })]);
    $('about').textContent = demo.describe;
    progress.chance = demo.chance;
    $('weight-label').textContent = demo.weight.param;
    showLayers(demo);
    const engine = await createEngine(demo, b, 1);
    progress.phase = 'training';
    const total = Math.max(1, Number($<HTMLInputElement>('steps').value) || 1);
    const start = performance.now();
    for (let k = 0; k < total && !stopRequested; k++) {
      progress.losses.push(await engine.step({ ...demo.trainBatch(k).feeds, lr: demo.lr }));
      if (k % PROBE_EVERY === 0 || k === total - 1) await probe(engine, demo, k);
      progress.steps = k + 1;
      progress.msPerStep = (performance.now() - start) / progress.steps;
      drawCurves(canvas('loss'), [{ values: progress.losses, color: '#d62728' }], { x: 'training step', y: 'loss' });
      $('loss-label').textContent = progress.losses[progress.losses.length - 1]!.toFixed(3);
      $('status').textContent = `step ${k + 1}/${total} — ${progress.msPerStep.toFixed(0)} ms/step`;
      await nextFrame();
    }
    progress.phase = 'done';
    $('status').textContent += stopRequested ? ' — stopped' : ' — done';
  } catch (error) {
    progress.phase = 'error';
    progress.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(error);
    $('status').textContent = `error: ${errorLine(error)}`;
  } finally {
    setBusy(false);
  }
}

$('train').addEventListener('click', () => void train());
$('stop').addEventListener('click', () => (stopRequested = true));
layerSelect.addEventListener('change', drawLayer);
void backend();
