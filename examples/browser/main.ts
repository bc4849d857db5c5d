// The page: pick a demo, set its hyperparameters, train it live on WebGPU, the WebAssembly backend
// (in a worker) or the CPU interpreter (with a banner), pause and resume, plot as it learns, save
// the model as a checkpoint or NIR file, and load a checkpoint, NIR file or spec JSON, or a data file, picked or dropped on the page.
import { sizeOf, toArray, type HostTensor, type TensorType } from '@spikeflow/core';
import { isDataFileName, loadCheckpoint, parseSequential, standardLayers } from '@spikeflow/models';
import { chooseTrainBackend, describeChoice, parseBackendPreference, type BackendPreference, type ChosenBackend, type CompileProgress } from '@spikeflow/webgpu';
import { decodePageCheckpoint, download, encodePageCheckpoint } from './checkpoint-file.js';
import { DEMOS, type Demo, type DemoChoice, type DemoLayer } from './demos/index.js';
import { DATA_FILE_SETTINGS, dataFileDemo } from './demos/data-file.js';
import { LIF_MLP_DEFAULTS } from './demos/mnist-lif.js';
import { MLP_PARAMS, readMlpNir, writeMlpNir } from './demos/mlp-nir.js';
import { mlpOfSpec, type MlpOfSpec } from './demos/mlp-spec-match.js';
import { pickInto, watchDrops } from './drop-zone.js';
import { modelFileKind } from './model-file.js';
import { loadNir } from './nir-module.js';
import { parseSettings, type DemoSettings } from './demos/settings.js';
import { errorLine, watchDataFile, type PickedData } from './data-file-input.js';
import { initCartPolePanel } from './cart-pole/panel.js';
import { createEngine, type Engine } from './engine.js';
import { pageWasmOffer } from './wasm-offer.js';
import { fetchMnist } from './mnist-asset.js';
import { LivePlot } from './live-plot.js';
import { learningCurvesSpec, membraneTracesSpec, spikeRasterSpec, weightsSpec } from './plots.js';
import { PROGRESS_GLOBAL, type Progress } from './progress.js';
import { initSettingsForm, lockSettings, readSettings, showSettings, watchSettings } from './settings-form.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const plots = { curves: new LivePlot($('curves')), raster: new LivePlot($('raster')), membrane: new LivePlot($('membrane')), weights: new LivePlot($('weights')) };
/** Resolves once every plot shows its newest data. */
const flushPlots = (): Promise<unknown> => Promise.all(Object.values(plots).map((p) => p.flush()));
/** The probe (a second graph run plus readbacks) every few steps, so it costs little of the training time. */
const PROBE_EVERY = 5;
const RASTER_SAMPLES = 4;
/** The seed of the params' initial values; a checkpoint records it. */
const SEED = 1;

const progress: Progress = { phase: 'idle', backend: 'unknown', threads: 0, adapter: '', demo: '', layer: '', paramCount: 0, steps: 0, losses: [], accuracies: [], accuracySteps: [], chance: 0, msPerStep: 0, compile: { done: 0, total: 0 } };
(globalThis as Record<string, unknown>)[PROGRESS_GLOBAL] = progress;

const select = $<HTMLSelectElement>('demo');
const layerSelect = $<HTMLSelectElement>('layer');
for (const [value, { label }] of DEMOS) select.add(new Option(label, value));
initSettingsForm();
/** A data file the user picked (docs/data.md), offered as one more model choice. */
const USER_DATA = 'user-data';
let userData: PickedData | undefined;
const dataInput = $<HTMLInputElement>('data-file');

/** The chosen model: one of DEMOS, or the LIF MLP on the picked data file. */
function choice(value = select.value): DemoChoice {
  if (value === USER_DATA && userData) {
    const { tasks, name } = userData;
    return { label: `LIF MLP on ${name}`, defaults: LIF_MLP_DEFAULTS, uses: DATA_FILE_SETTINGS, load: async (_data, settings) => dataFileDemo(tasks, name, settings) };
  }
  const found = DEMOS.get(value);
  if (!found) throw new Error(`model: no model choice "${value}"`);
  return found;
}

const buildDemo = (settings: DemoSettings): Promise<Demo> => choice().load({ mnist: fetchMnist }, settings);

/** The running (or last) run: its model, engine and settings, which pause, export and resume act on. */
let run: { demo: Demo; engine: Engine; settings: DemoSettings; key: string } | undefined;
let stopRequested = false;
let paused = false;
let resume: (() => void) | undefined;
/** The last probe's outputs, so choosing another layer redraws at once, during training or after it. */
let lastProbe: Record<string, HostTensor> | undefined;
/** The shown demo's spiking layers, in the order of the layer <select>. */
let layers: readonly DemoLayer[] = [];

/** Lets the browser paint and handle input between steps; the timeout covers pages where rAF is throttled. */
const nextFrame = (): Promise<void> => new Promise((resolve) => {
  requestAnimationFrame(() => resolve());
  setTimeout(resolve, 100);
});

let backendPromise: Promise<ChosenBackend> | undefined;
/**
 * One backend for the page's lifetime, chosen by `?backend=auto|webgpu|wasm|cpu` (auto by default)
 * with chooseTrainBackend's rule: auto is WebGPU on a hardware adapter, else the WebAssembly
 * backend, which runs in a worker (a page's main thread may not block in Atomics.wait). The header
 * line names the backend, its threads and why.
 */
async function backend(): Promise<ChosenBackend> {
  backendPromise ??= choosePageBackend().then(
    (chosen) => {
      progress.backend = chosen.kind;
      progress.threads = chosen.kind === 'wasm' ? chosen.threads : 1;
      progress.adapter = chosen.kind === 'webgpu' ? chosen.ctx.adapterInfo : chosen.kind === 'wasm' ? `WebAssembly on ${chosen.threads} thread${chosen.threads === 1 ? '' : 's'}` : 'CPU reference interpreter';
      $('adapter').textContent = describeChoice({ ...chosen, reason: `${requestNote}${chosen.reason}` });
      if (chosen.kind === 'cpu') {
        $('banner').textContent = `Training runs on the CPU reference interpreter (slow). ${chosen.reason}`;
        $('banner').classList.add('shown');
      }
      return chosen;
    },
    (error: unknown) => {
      progress.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      $('adapter').textContent = `backend: none — ${requestNote}${errorLine(error)}`;
      // Not cached: the next Train click tries again.
      backendPromise = undefined;
      throw error;
    },
  );
  return backendPromise;
}

/** What the page could not do as asked (a bad ?backend), said before the reason. */
let requestNote = '';

function choosePageBackend(): Promise<ChosenBackend> {
  const asked = new URLSearchParams(location.search).get('backend');
  let prefer: BackendPreference = 'auto';
  try {
    prefer = asked === null ? 'auto' : parseBackendPreference(asked, '?backend');
  } catch (error) {
    requestNote = `${errorLine(error)}; using auto. `;
  }
  const options = { prefer, preferSource: '?backend', label: 'spikeflow page', webgpu: { onCompileProgress: showCompileProgress } } as const;
  const withWasm = chooseTrainBackend({ ...options, wasm: pageWasmOffer() });
  if (prefer !== 'auto') return withWasm;
  // Under auto, a WebAssembly worker that does not load or open is no reason not to train:
  // choose again without it (WebGPU, a software adapter included, else the CPU interpreter).
  return withWasm.catch(async (error: unknown) => {
    const fallback = await chooseTrainBackend(options);
    return { ...fallback, reason: `the WebAssembly backend could not be opened (${errorLine(error)}); ${fallback.reason}` };
  });
}

/** Kernel compilation in the status line: the first time on a software GPU it takes minutes. */
function showCompileProgress({ done, total }: CompileProgress): void {
  progress.compile = { done, total };
  $('status').textContent = done === total ? `compiled ${total} kernels` : `compiling ${total} kernels … ${done}/${total}`;
}

/** The raster and membranes of the chosen layer, from the last probe. */
function drawLayer(): void {
  const layer = layers[layerSelect.selectedIndex];
  progress.layer = layer?.label ?? '';
  if (!layer) return;
  $('raster-label').textContent = layer.label;
  $('membrane-label').textContent = `${layer.label}, threshold ${layer.threshold}`;
  const probed = lastProbe;
  if (!probed) return;
  plots.raster.show(() => spikeRasterSpec(probed[layer.spikes]!, RASTER_SAMPLES, layer.label));
  plots.membrane.show(() => membraneTracesSpec(probed[layer.membrane]!, layer.threshold));
}

/** Scores the held-out batch (or takes a score already run on it) and redraws what it shows. */
async function probe(engine: Engine, demo: Demo, step: number, probed?: Awaited<ReturnType<Engine['probe']>>): Promise<void> {
  lastProbe = probed ?? (await engine.probe(demo.heldOut.feeds));
  progress.accuracies.push(demo.heldOut.accuracy(lastProbe[demo.scores]!));
  progress.accuracySteps.push(step);
  const acc = progress.accuracies;
  showCurves(demo.chance);
  $('acc-label').textContent = `${(100 * acc[acc.length - 1]!).toFixed(1)}% (chance ${(100 * demo.chance).toFixed(0)}%)`;
  drawLayer();
  const weights = await engine.param(demo.weight.param);
  plots.weights.show(() => weightsSpec(weights, demo.weight));
}

/** The loss and accuracy panels, from the progress as it is when they are drawn. */
function showCurves(chance: number): void {
  plots.curves.show(() => learningCurvesSpec(progress.losses, progress.accuracies, progress.accuracySteps, chance));
}

/** Shows what a demo is before it trains: its description, size, layers and plotted weight. */
function describe(demo: Demo): void {
  progress.paramCount = demo.probe.params.reduce((n, id) => n + sizeOf((demo.probe.nodes[id]!.type as TensorType).shape), 0);
  $('about').textContent = `${demo.describe} — ${progress.paramCount.toLocaleString('en')} params`;
  progress.chance = demo.chance;
  $('weight-label').textContent = demo.weight.param;
  layers = demo.layers;
  layerSelect.replaceChildren(...layers.map((l) => new Option(l.label, l.spikes)));
  drawLayer();
}

/** Counts previews, so a slow build of an earlier choice cannot overwrite a later one. */
let previews = 0;
/** Builds the chosen model with the form's settings and describes it, without training. */
async function preview(): Promise<void> {
  const ticket = ++previews;
  try {
    const { defaults, uses } = choice();
    const demo = await buildDemo(readSettings(defaults, uses));
    if (ticket === previews && !busy) describe(demo);
  } catch (error) {
    if (ticket === previews) $('status').textContent = `error: ${errorLine(error)}`;
  }
}

/** A new model choice: its defaults in the form, then its description. */
function chooseDemo(): void {
  const { defaults, uses } = choice();
  showSettings(defaults, uses);
  void preview();
}

let busy = false;
const button = (id: string) => $<HTMLButtonElement>(id);
function setBusy(on: boolean): void {
  busy = on;
  button('train').disabled = on;
  button('stop').disabled = !on;
  button('pause').disabled = !on;
  button('import').disabled = on;
  button('export').disabled = on || run === undefined;
  button('export-nir').disabled = on || run?.demo.sequential === undefined;
  select.disabled = on;
  dataInput.disabled = on;
  lockSettings(on, choice().uses);
}

function setPaused(on: boolean): void {
  paused = on;
  button('pause').textContent = on ? 'Resume' : 'Pause';
  // A paused run's state can be saved; training resumes from the same params and optimizer slots.
  button('export').disabled = !on;
  button('export-nir').disabled = !on || run?.demo.sequential === undefined;
  if (on) progress.phase = 'paused';
  else {
    if (progress.phase === 'paused') progress.phase = 'training';
    resume?.();
  }
}

/** Waits while paused; resolves at once otherwise, or when stopped. */
const whilePaused = (): Promise<void> => (paused && !stopRequested ? new Promise((r) => (resume = r)) : Promise.resolve());

async function train(): Promise<void> {
  const key = select.value;
  let settings: DemoSettings;
  try {
    const { defaults, uses } = choice();
    settings = readSettings(defaults, uses);
  } catch (error) {
    $('status').textContent = `error: ${errorLine(error)}`;
    return;
  }
  setBusy(true);
  stopRequested = false;
  setPaused(false);
  lastProbe = undefined;
  Object.assign(progress, { phase: 'loading', demo: key, steps: 0, losses: [], accuracies: [], accuracySteps: [], msPerStep: 0, compile: { done: 0, total: 0 } });
  delete progress.error;
  try {
    $('status').textContent = 'loading data and compiling…';
    const [chosen, demo] = await Promise.all([backend(), buildDemo(settings)]);
    describe(demo);
    const engine = await createEngine(demo, chosen.backend, SEED);
    run?.engine.destroy();
    run = { demo, engine, settings, key };
    progress.phase = 'training';
    const total = Math.max(1, Number($<HTMLInputElement>('steps').value) || 1);
    let trainingMs = 0;
    for (let k = 0; k < total && !stopRequested; k++) {
      const start = performance.now();
      progress.losses.push(await engine.step({ ...demo.trainBatch(k).feeds, lr: demo.lr }));
      if (k % PROBE_EVERY === 0 || k === total - 1) await probe(engine, demo, k);
      progress.steps = k + 1;
      trainingMs += performance.now() - start;
      progress.msPerStep = trainingMs / progress.steps;
      showCurves(demo.chance);
      $('loss-label').textContent = progress.losses[progress.losses.length - 1]!.toFixed(3);
      $('status').textContent = `step ${k + 1}/${total} — ${progress.msPerStep.toFixed(0)} ms/step`;
      await nextFrame();
      if (paused) {
        $('status').textContent += ' — paused';
        await whilePaused();
      }
    }
    await flushPlots();
    progress.phase = 'done';
    $('status').textContent += stopRequested ? ' — stopped' : ' — done';
  } catch (error) {
    progress.phase = 'error';
    progress.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
    console.error(error);
    $('status').textContent = `error: ${errorLine(error)}`;
  } finally {
    setPaused(false);
    setBusy(false);
  }
}

/** Saves the run's whole training state, with the model choice and settings that rebuild it. */
async function exportCheckpoint(): Promise<void> {
  if (!run) return;
  const bytes = encodePageCheckpoint({ demo: run.key, settings: run.settings }, progress.steps, SEED, await run.engine.readState());
  download(bytes, `${run.key}-step${progress.steps}.spkf`);
  $('status').textContent = `saved a checkpoint at step ${progress.steps}`;
}

/** Saves the run's trained model as a NIR file (the LIF MLPs; the other demos have no NIR form). */
async function exportNirFile(): Promise<void> {
  const spec = run?.demo.sequential;
  if (!run || !spec) return;
  const nir = await loadNir();
  const params = Object.fromEntries(await Promise.all(MLP_PARAMS.map(async (name) => [name, Float32Array.from(toArray(await run!.engine.param(name)))])));
  download(await writeMlpNir(nir, spec, params), `${run.key}-step${progress.steps}.nir`);
  $('status').textContent = `saved a NIR file at step ${progress.steps}`;
}

/**
 * Builds the model `key` with `settings`, uploads `state` over its fresh params and scores the
 * held-out batch; the page shows it only once all that worked.
 */
async function restoreModel(key: string, settings: DemoSettings, demo: Demo, seed: number, state: Readonly<Record<string, HostTensor>>, step: number): Promise<number> {
  const engine = await createEngine(demo, (await backend()).backend, seed);
  let probed: Record<string, HostTensor>;
  try {
    engine.setState(state);
    // Scored once before anything on the page changes, so a model that fails to run changes nothing.
    probed = await engine.probe(demo.heldOut.feeds);
  } catch (error) {
    engine.destroy();
    throw error;
  }
  run?.engine.destroy();
  select.value = key;
  showSettings(settings, choice(key).uses);
  describe(demo);
  run = { demo, engine, settings, key };
  Object.assign(progress, { demo: key, steps: step, losses: [], accuracies: [], accuracySteps: [], msPerStep: 0 });
  await probe(engine, demo, step, probed);
  await flushPlots();
  progress.phase = 'done';
  return progress.accuracies[0]!;
}

/**
 * Restores a checkpoint: rebuilds its model with its settings, checks every tensor against the
 * training graph, uploads them and scores the held-out batch. A bad file changes nothing.
 */
async function importCheckpoint(bytes: Uint8Array, file: string): Promise<void> {
  const { checkpoint, demo: key, texts } = decodePageCheckpoint(bytes, file);
  if (key === USER_DATA && !userData) throw new Error(`${file}: meta.demo: the checkpoint is of a model on a data file; pick that file first`);
  if (key !== USER_DATA && !DEMOS.has(key)) throw new Error(`${file}: meta.demo: no model choice "${key}"`);
  const { defaults, uses } = choice(key);
  let settings: DemoSettings;
  try {
    settings = parseSettings(defaults, uses, texts);
  } catch (error) {
    throw new Error(`${file}: meta.settings: ${errorLine(error)}`);
  }
  const demo = await choice(key).load({ mnist: fetchMnist }, settings);
  try {
    loadCheckpoint(bytes, demo.train);
  } catch (error) {
    throw new Error(`${file}: ${errorLine(error)}`);
  }
  const accuracy = await restoreModel(key, settings, demo, checkpoint.progress.seed, checkpoint.tensors, checkpoint.progress.step);
  $('status').textContent = `restored ${file} (step ${checkpoint.progress.step}) — held-out accuracy ${(100 * accuracy).toFixed(1)}%`;
}

/** The model choice an MLP of these sizes trains on: the picked data file's, else MNIST's. */
function mlpTarget({ inputs, classes }: MlpOfSpec['shape'], file: string): string {
  const info = userData?.tasks.train.info;
  if (info && info.inputSize === inputs && info.outputSize === classes) return USER_DATA;
  if (inputs === 784 && classes === 10) return 'mnist-lif';
  const picked = info ? `${userData!.name} has ${info.inputSize} and ${info.outputSize}` : 'no data file is picked';
  throw new Error(`${file}: the model takes ${inputs} inputs and ${classes} classes; MNIST has 784 and 10, ${picked}`);
}

/** An imported MLP's settings: the file's, over the form's where it shows that model (else the model's defaults). */
function mlpSettings(key: string, fromFile: Partial<DemoSettings>): DemoSettings {
  const { defaults, uses } = choice(key);
  return { ...(select.value === key ? readSettings(defaults, uses) : defaults), ...fromFile };
}

/** Imports a NIR file of the LIF MLP: its weights are scored on the held-out batch and can be saved again (Train starts afresh). */
async function importNirFile(bytes: Uint8Array, file: string): Promise<void> {
  const { shape, settings: fromFile, params } = await readMlpNir(await loadNir(), bytes, file, LIF_MLP_DEFAULTS);
  const key = mlpTarget(shape, file);
  // NIR holds no surrogate gradient: the form's (or the defaults') is kept.
  const settings = mlpSettings(key, { hidden: fromFile.hidden, neuron: fromFile.neuron });
  const demo = await choice(key).load({ mnist: fetchMnist }, settings);
  const weights = {
    'linear0/w': { type: { dtype: 'f32', shape: [shape.inputs, settings.hidden] }, data: params['linear0/w'] },
    'linear2/w': { type: { dtype: 'f32', shape: [settings.hidden, shape.classes] }, data: params['linear2/w'] },
  } satisfies Record<(typeof MLP_PARAMS)[number], HostTensor>;
  const accuracy = await restoreModel(key, settings, demo, SEED, weights, 0);
  $('status').textContent = `imported ${file} — held-out accuracy ${(100 * accuracy).toFixed(1)}%`;
}

/** Reads a spec JSON of the LIF MLP as the model choice and settings it states, untrained. */
async function importSpec(bytes: Uint8Array, file: string): Promise<void> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${file}: a spec JSON must be UTF-8 text`);
  }
  let spec;
  try {
    spec = parseSequential(text, standardLayers);
  } catch (error) {
    throw new Error(`${file}: ${errorLine(error)}`);
  }
  const { shape, settings: fromFile } = mlpOfSpec(spec, file);
  const key = mlpTarget(shape, file);
  const settings = mlpSettings(key, fromFile);
  const demo = await choice(key).load({ mnist: fetchMnist }, settings);
  select.value = key;
  showSettings(settings, choice(key).uses);
  describe(demo);
  await flushPlots(); // the status says the page is ready only once its plots show the new model
  $('status').textContent = `loaded ${file}: ${demo.title} with ${settings.hidden} ${settings.neuron.toUpperCase()} neurons — ready to train`;
}

/** A model file, picked or dropped: a checkpoint, a NIR file or a spec JSON, told apart by its first bytes. */
async function loadModelFile(file: File): Promise<void> {
  if (busy) {
    $('status').textContent = `error: ${file.name}: the page is busy; stop the run first`;
    return;
  }
  setBusy(true);
  button('stop').disabled = true;
  button('pause').disabled = true;
  try {
    $('status').textContent = `reading ${file.name}…`;
    const bytes = new Uint8Array(await file.arrayBuffer());
    const kind = modelFileKind(bytes, file.name);
    await (kind === 'checkpoint' ? importCheckpoint : kind === 'nir' ? importNirFile : importSpec)(bytes, file.name);
  } catch (error) {
    console.error(error);
    $('status').textContent = `error: ${errorLine(error)}`;
  } finally {
    setBusy(false);
  }
}

watchDataFile(
  dataInput,
  (picked) => {
    userData = picked;
    Array.from(select.options).find((o) => o.value === USER_DATA)?.remove();
    select.add(new Option(`LIF MLP on ${picked.name}`, USER_DATA));
    select.value = USER_DATA;
    const { info } = picked.tasks.train;
    chooseDemo();
    $('status').textContent = `${picked.name}: ${info.outputSize} classes, ${info.inputSize} inputs over ${info.steps} steps — ready to train`;
  },
  (line) => ($('status').textContent = `error: ${line}`),
);
const modelInput = $<HTMLInputElement>('model-file');
modelInput.addEventListener('change', () => {
  const file = modelInput.files?.[0];
  modelInput.value = '';
  if (file) void loadModelFile(file);
});
// A data file (by its extension) takes the data input's path; anything else is read as a model.
watchDrops($('drop-zone'), (file) => {
  if (busy) $('status').textContent = `error: ${file.name}: the page is busy; stop the run first`;
  else if (isDataFileName(file.name)) pickInto(dataInput, file);
  else void loadModelFile(file);
});

button('train').addEventListener('click', () => void train());
button('stop').addEventListener('click', () => {
  stopRequested = true;
  resume?.();
});
button('pause').addEventListener('click', () => setPaused(!paused));
button('export').addEventListener('click', () => exportCheckpoint().catch((error) => ($('status').textContent = `error: ${errorLine(error)}`)));
button('export-nir').addEventListener('click', () => exportNirFile().catch((error) => ($('status').textContent = `error: ${errorLine(error)}`)));
button('import').addEventListener('click', () => modelInput.click());
select.addEventListener('change', chooseDemo);
watchSettings(() => void preview());
layerSelect.addEventListener('change', drawLayer);
void backend();
chooseDemo();
initCartPolePanel(nextFrame);
