/**
 * Where the time of one training step goes, dispatch by dispatch, for the row-wise sequential
 * MNIST network of examples/reproduce (PSN by default; any of its neurons by name; several
 * names profile them side by side in one process, interleaved, and compare them).
 *
 *   XDG_RUNTIME_DIR=/tmp npx tsx bench/profile-step.ts [psn|lif|maskedPsn|slidingPsn ...] [options]
 *
 *   --batch=50 --hidden=256      the network (the sMNIST experiment's sizes by default)
 *   --warmup=3                   training steps before anything is timed (lavapipe compiles shaders on first use)
 *   --reps=5                     replays timed with GPU timestamps; normal steps timed (x2)
 *   --submit-reps=2              replays with each dispatch in a submit of its own (0: skip)
 *   --top=15                     rows printed (the JSON has every kernel)
 *   --wgsl=SUBSTRING             also print the WGSL of the kernels whose label contains it
 *   --synthetic                  random pixels instead of real MNIST digits
 *   --eval                       also time the Trainer's held-out evaluation (forward executable) per batch
 *   --out=DIR                    where the JSON goes (default bench/results/profile, not committed): profile-step-<neuron>.json
 *
 * How: the step is compiled exactly as the Trainer compiles it (trainingGraph + the WebGPU
 * backend's compileTrainStep, AdamW; the backend is wrapped only to keep hold of the compiled
 * TrainStep and of the feeds the Trainer gives it) and trained a few steps on real digits. Then
 * one step's command stream is recorded by shadowing `device.createCommandEncoder` during one
 * `Executable.submit` (nothing under packages/ changes; see profile-step-record.ts), and each
 * recorded dispatch is mapped back to the compiled program's kernel step (the executable encodes
 * the program's steps in order, loops unrolled; the tool checks the two line up). The stream is
 * replayed (a) in ONE submit with a timestamp-query pair around every dispatch (lavapipe has
 * `timestamp-query`; Dawn's timestamp quantization is turned off on the tool's own dawn.node
 * instance) and (b) one dispatch per submit, timed on the wall clock around
 * `queue.onSubmittedWorkDone()`. Per dispatch the median over replays is taken; a kernel inside a
 * scan loop is summed over its T dispatches. The normal step (the executable's own single
 * submit) is timed too, for comparison. With several neurons, normal steps and replays alternate
 * between the models so that load on a shared machine hits them alike.
 */
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedValue } from '@spikeflow/core';
import { adamw, loadMnist, sequentialMnist, Trainer, type Batch } from '@spikeflow/models';
import { acquireDevice, webgpuBackend, type GpuContext, type KernelStep, type Step, type TrainStep } from '@spikeflow/webgpu';
import { SMNIST_NEURONS, smnistModel, type SmnistArchitecture, type SmnistNeuron } from '../examples/reproduce/smnist-model.js';
import { emptySubmitMs, recordCommands, replayAll, replayEachSubmitted, replayWithTimestamps, type RecordedOp } from './profile-step-record.js';
import { median } from './src/harness/timing.js';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Options

type Options = ReturnType<typeof parseArgs>;

function parseArgs(argv: readonly string[]) {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (const a of argv) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
    if (m) flags.set(m[1]!, m[2] ?? 'true');
    else positional.push(a);
  }
  const known = ['batch', 'hidden', 'warmup', 'reps', 'submit-reps', 'top', 'wgsl', 'synthetic', 'eval', 'out'];
  for (const f of flags.keys()) if (!known.includes(f)) throw new Error(`unknown option --${f}: ${known.map((k) => `--${k}`).join(', ')}`);
  const int = (name: string, fallback: number) => {
    const v = flags.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, not '${v}'`);
    return n;
  };
  const neurons = (positional.length > 0 ? positional : ['psn']) as SmnistNeuron[];
  for (const n of neurons) if (!SMNIST_NEURONS.includes(n)) throw new Error(`unknown neuron '${n}': one of ${SMNIST_NEURONS.join(', ')}`);
  if (new Set(neurons).size !== neurons.length) throw new Error('a neuron is named twice');
  return {
    neurons,
    batch: Math.max(1, int('batch', 50)),
    hidden: Math.max(1, int('hidden', 256)),
    warmup: Math.max(1, int('warmup', 3)),
    reps: Math.max(1, int('reps', 5)),
    submitReps: int('submit-reps', 2),
    top: int('top', 15),
    wgsl: flags.get('wgsl'),
    synthetic: flags.has('synthetic'),
    evaluate: flags.has('eval'),
    outDir: flags.get('out') ?? join(here, 'results', 'profile'),
  };
}

// ---------------------------------------------------------------------------------------------
// Device: dawn.node with timestamp queries, raised limits as acquireDevice requests them

async function profilingDevice(): Promise<{ ctx: GpuContext; features: string[]; timestamps: boolean }> {
  // The `webgpu` package is a dependency of @spikeflow/webgpu; resolve it from there.
  const require = createRequire(resolve(here, '../packages/webgpu/package.json'));
  const dawn = (await import(require.resolve('webgpu'))) as { globals: object; create(flags: string[]): GPU };
  Object.assign(globalThis, dawn.globals);
  // Without this Dawn rounds timestamps (against timing attacks), too coarse for short kernels.
  const gpu = dawn.create(['disable-dawn-features=timestamp_quantization']);
  (globalThis as { __profileStepGpu?: GPU }).__profileStepGpu = gpu; // dawn.node crashes if its GPU is collected
  const adapter = await gpu.requestAdapter();
  if (adapter === null) throw new Error('no WebGPU adapter');
  const features = [...adapter.features].sort();
  const timestamps = adapter.features.has('timestamp-query');
  // acquireDevice does the rest (limits, loss handling); only the requested features differ.
  const wrappedAdapter = {
    features: adapter.features,
    limits: adapter.limits,
    info: adapter.info,
    requestDevice: (descriptor?: GPUDeviceDescriptor) =>
      adapter.requestDevice({ ...descriptor, requiredFeatures: [...(descriptor?.requiredFeatures ?? []), ...(timestamps ? (['timestamp-query'] as const) : [])] }),
  };
  const ctx = await acquireDevice({ gpu: { requestAdapter: async () => wrappedAdapter } as unknown as GPU });
  return { ctx, features, timestamps };
}

// ---------------------------------------------------------------------------------------------
// Data: real row-wise digits (or random pixels)

async function batches(count: number, batch: number, synthetic: boolean, arch: SmnistArchitecture): Promise<Batch[]> {
  if (synthetic) {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    return Array.from({ length: count }, () => ({
      x: { type: { shape: [arch.steps, batch, arch.inputSize], dtype: 'f32' }, data: Float32Array.from({ length: arch.steps * batch * arch.inputSize }, () => (rand() < 0.2 ? rand() : 0)) },
      labels: { type: { shape: [batch], dtype: 'i32' }, data: Int32Array.from({ length: batch }, () => Math.floor(rand() * arch.classes)) },
    })) as unknown as Batch[];
  }
  const data = await loadMnist();
  const task = sequentialMnist(data, { encoding: 'row' });
  // The package's digits are grouped by class: a fixed stride picks all classes.
  const stride = Math.max(1, Math.floor(data.count / (count * batch)));
  return Array.from({ length: count }, (_, k) => {
    const b = task.encode(Array.from({ length: batch }, (_, i) => ((k * batch + i) * stride) % data.count));
    return { x: b.inputs.x!, labels: b.labels! } as Batch;
  });
}

// ---------------------------------------------------------------------------------------------
// The compiled program's kernel steps, in the order Executable.encode walks them

type Site = 'copy' | { readonly step: KernelStep; readonly t: number };

function programSites(steps: readonly Step[]): Site[] {
  const out: Site[] = [];
  const walk = (list: readonly Step[], t: number) => {
    for (const s of list) {
      if (s.kind === 'kernel') out.push({ step: s, t });
      else if (s.kind === 'copy') out.push('copy');
      else s.times.forEach((time) => walk(s.body, time));
    }
  };
  walk(steps, -1);
  return out;
}

const elements = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

function describe(step: KernelStep) {
  const { source } = step;
  return {
    label: source.label,
    kind: source.kind,
    entry: 'main',
    workgroupSize: /@workgroup_size\(([^)]*)\)/.exec(source.code)?.[1]?.replace(/\s+/g, '') ?? '?',
    workgroups: source.workgroups as readonly number[],
    bindings: source.bindings.map(
      (b) => `${b.access === 'read' ? 'r' : 'rw'} ${b.name}[${b.type.shape.join(',')}]${b.type.dtype === 'f32' ? '' : ` ${b.type.dtype}`}${b.packed ? ' packed' : ''}${b.stepStride ? ` (slice per t)` : ''}`,
    ),
    boundBytes: source.bindings.reduce((n, b) => n + (b.packed ? 4 * Math.ceil(elements(b.type.shape) / 32) : 4 * elements(b.type.shape)), 0),
    /** Graph nodes fused into the kernel. */
    nodes: step.nodes.length,
  };
}

// ---------------------------------------------------------------------------------------------
// One model: compiled, warmed up, recorded

interface Model {
  readonly neuron: SmnistNeuron;
  readonly trainer: Trainer;
  readonly trainStep: TrainStep;
  readonly feeds: Readonly<Record<string, FeedValue>>;
  readonly ops: RecordedOp[];
  readonly sites: Site[];
  readonly normalMs: number[];
  readonly normalLossMs: number[];
  readonly tsRuns: number[][];
  readonly gapRuns: number[][];
  readonly tsWall: number[];
  readonly plainReplay: number[];
  readonly subRuns: number[][];
  readonly evalMs: number[];
  readonly data: Batch[];
}

async function prepare(neuron: SmnistNeuron, opts: Options, arch: SmnistArchitecture, ctx: GpuContext, data: Batch[], log: (line: string) => void): Promise<Model> {
  const { graph, lambdaInputs } = smnistModel(neuron, arch, opts.batch);
  const base = webgpuBackend(ctx);
  let trainStep: TrainStep | undefined;
  let feeds: Readonly<Record<string, FeedValue>> | undefined;
  // A masked PSN's λ at 1: the fully masked neuron of the last epochs.
  const withLambda = (b: Batch): Batch => ({ ...b, ...Object.fromEntries(lambdaInputs.map((name) => [name, 1])) });
  const trainer = await Trainer.create({
    backend: {
      ...base,
      compileTrainStep: async (g, o) => {
        const ts = (await base.compileTrainStep(g, o)) as TrainStep;
        const stepWithLoss = ts.stepWithLoss.bind(ts);
        ts.stepWithLoss = (f) => ((feeds = f), stepWithLoss(f));
        trainStep = ts;
        return ts;
      },
    },
    model: graph,
    optimizer: adamw({ weightDecay: 1e-4 }),
    schedule: 5e-3,
    seed: 1,
    data: { train: () => data.map(withLambda) },
  });
  const { stats } = trainStep!.executable;
  log(`${neuron}: compiled, ${stats.dispatches} dispatches and ${stats.copies} copies per step`);
  const start = performance.now();
  const [metrics] = await trainer.runEpochs(1);
  log(`${neuron}: ${opts.warmup} warm-up steps in ${((performance.now() - start) / 1000).toFixed(1)} s, loss ${metrics!.loss.toFixed(4)}`);
  const exe = trainStep!.executable;
  const { ops } = await recordCommands(ctx.device, () => exe.submit(feeds!));
  await ctx.device.queue.onSubmittedWorkDone();
  const sites = programSites(exe.program.steps);
  if (sites.length !== ops.length || sites.some((s, i) => (s === 'copy') !== (ops[i]!.kind === 'copy'))) {
    throw new Error(`${neuron}: recorded ${ops.length} commands but the program walk gives ${sites.length}: Executable.encode changed; update programSites`);
  }
  return { neuron, trainer, trainStep: trainStep!, feeds: feeds!, ops, sites, normalMs: [], normalLossMs: [], tsRuns: [], gapRuns: [], tsWall: [], plainReplay: [], subRuns: [], evalMs: [], data: data.map(withLambda) };
}

// ---------------------------------------------------------------------------------------------
// Results

type KernelRow = ReturnType<typeof describe> & {
  programOrder: number;
  dispatches: number;
  ms_timestamp: number | null;
  ms_per_dispatch_timestamp: number | null;
  ms_gap_before: number | null;
  ms_submit_each: number | null;
  ms_submit_each_minus_overhead: number | null;
  share: number;
  share_submit_each: number | null;
  code: string | undefined;
};

function kernelRows(m: Model, timestamps: boolean, overheadMs: number): { rows: KernelRow[]; tsTotal: number; gapTotal: number; subTotal: number } {
  const perOp = (runs: number[][], i: number) => (runs.length === 0 ? Number.NaN : median(runs.map((run) => run[i]!)));
  const add = (x: number) => (Number.isNaN(x) ? 0 : x);
  interface Agg {
    step: KernelStep | undefined;
    order: number;
    dispatches: number;
    tsMs: number;
    gapMs: number;
    subMs: number;
    subCorrectedMs: number;
    copyBytes: number;
  }
  const byStep = new Map<KernelStep | string, Agg>();
  m.ops.forEach((op, i) => {
    const site = m.sites[i]!;
    const key = site === 'copy' ? 'copies' : site.step;
    let agg = byStep.get(key);
    if (agg === undefined) byStep.set(key, (agg = { step: site === 'copy' ? undefined : site.step, order: byStep.size, dispatches: 0, tsMs: 0, gapMs: 0, subMs: 0, subCorrectedMs: 0, copyBytes: 0 }));
    agg.dispatches++;
    if (op.kind === 'copy') agg.copyBytes += op.size;
    agg.tsMs += add(perOp(m.tsRuns, i));
    agg.gapMs += add(perOp(m.gapRuns, i));
    const sub = perOp(m.subRuns, i);
    agg.subMs += add(sub);
    agg.subCorrectedMs += Number.isNaN(sub) ? 0 : Math.max(0, sub - overheadMs);
  });
  const aggs = [...byStep.values()];
  const tsTotal = aggs.reduce((n, a) => n + a.tsMs, 0);
  const gapTotal = aggs.reduce((n, a) => n + a.gapMs, 0);
  const subTotal = aggs.reduce((n, a) => n + a.subCorrectedMs, 0);
  const submitted = m.subRuns.length > 0;
  const rows: KernelRow[] = aggs
    .map((a) => ({
      ...(a.step
        ? describe(a.step)
        : { label: '(buffer copies)', kind: 'copy', entry: '-', workgroupSize: '-', workgroups: [0, 0, 0], bindings: [`${a.copyBytes} bytes in all`], boundBytes: a.copyBytes, nodes: 0 }),
      programOrder: a.order,
      dispatches: a.dispatches,
      ms_timestamp: timestamps ? a.tsMs : null,
      ms_per_dispatch_timestamp: timestamps ? a.tsMs / a.dispatches : null,
      /** From the previous dispatch's end stamp to this one's begin stamp, summed over its dispatches. */
      ms_gap_before: timestamps ? a.gapMs : null,
      ms_submit_each: submitted ? a.subMs : null,
      ms_submit_each_minus_overhead: submitted ? a.subCorrectedMs : null,
      share: timestamps ? (tsTotal > 0 ? a.tsMs / tsTotal : 0) : subTotal > 0 ? a.subCorrectedMs / subTotal : 0,
      share_submit_each: submitted && subTotal > 0 ? a.subCorrectedMs / subTotal : null,
      code: a.step?.source.code,
    }))
    .sort((x, y) => y.share - x.share || x.programOrder - y.programOrder);
  return { rows, tsTotal, gapTotal, subTotal };
}

const pct = (x: number | null) => (x === null ? '' : `${(100 * x).toFixed(1)}%`);
const fixed = (x: number | null, digits = 2) => (x === null || Number.isNaN(x) ? '' : x.toFixed(digits));

function printTable(header: string[], body: string[][], rightFrom: number): void {
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ');
  console.log(line(header));
  for (const row of body) console.log(line(row));
}

/** Kernels grouped by what they belong to: forward / backward / optimizer of each scope. */
function scopeOf(label: string): string {
  const parts = label.split('/');
  if ((parts[0] === 'grad' || parts[0] === 'optimizer') && parts.length > 1) return `${parts[0] === 'grad' ? 'bwd' : 'opt'} ${parts[1]}`;
  return `fwd ${parts.length > 1 ? parts[0] : label.startsWith('(') ? label : 'between scopes'}`;
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const log = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}`);
  const arch: SmnistArchitecture = { steps: 28, inputSize: 28, classes: 10, hidden: opts.hidden, order: 8, lifTau: 2, norm: 'sequence' };
  const { ctx, features, timestamps } = await profilingDevice();
  const { device } = ctx;
  log(`adapter ${ctx.adapterInfo}; timestamp-query ${timestamps ? 'available' : 'NOT available (falling back to submit-each timing)'}; adapter features: ${features.join(', ')}`);
  const data = await batches(opts.warmup, opts.batch, opts.synthetic, arch);
  const models: Model[] = [];
  for (const neuron of opts.neurons) models.push(await prepare(neuron, opts, arch, ctx, data, log));

  // Normal steps (the executable's own single submit), alternating between the models.
  for (let r = 0; r < 2 * opts.reps; r++) {
    for (const m of models) {
      let s = performance.now();
      m.trainStep.step(m.feeds);
      await device.queue.onSubmittedWorkDone();
      m.normalMs.push(performance.now() - s);
      s = performance.now();
      await m.trainStep.stepWithLoss(m.feeds);
      m.normalLossMs.push(performance.now() - s);
    }
  }
  for (const m of models) log(`${m.neuron}: normal step ${fixed(median(m.normalMs), 1)} ms (submit + onSubmittedWorkDone), ${fixed(median(m.normalLossMs), 1)} ms with the loss read back`);

  // The held-out evaluation: the Trainer's forward executable (compiled on first use), per batch.
  if (opts.evaluate) {
    for (const m of models) await m.trainer.evaluate(m.data.slice(0, 1));
    for (let r = 0; r < opts.reps; r++) {
      for (const m of models) {
        const s = performance.now();
        await m.trainer.evaluate(m.data);
        m.evalMs.push((performance.now() - s) / m.data.length);
      }
    }
    for (const m of models) log(`${m.neuron}: evaluation ${fixed(median(m.evalMs), 1)} ms per batch`);
  }

  // (a) timestamped replays in one submit, alternating.
  if (timestamps) {
    for (let r = 0; r < opts.reps; r++) {
      for (const m of models) {
        const { opMs, gapMs, wallMs } = await replayWithTimestamps(device, m.ops);
        m.tsRuns.push(opMs);
        m.gapRuns.push(gapMs);
        m.tsWall.push(wallMs);
        m.plainReplay.push(await replayAll(device, m.ops));
      }
    }
    for (const m of models) log(`${m.neuron}: timestamped replay ${fixed(median(m.tsWall), 1)} ms wall, plain replay ${fixed(median(m.plainReplay), 1)} ms`);
  }
  // (b) one submit per dispatch, alternating.
  const empty: number[] = [];
  for (let r = 0; r < 20; r++) empty.push(await emptySubmitMs(device));
  const overheadMs = median(empty);
  for (let r = 0; r < opts.submitReps; r++) for (const m of models) m.subRuns.push(await replayEachSubmitted(device, m.ops));
  if (opts.submitReps > 0) log(`submit-each replays done; empty submit round trip ${fixed(overheadMs, 3)} ms`);

  const results = models.map((m) => ({ m, ...kernelRows(m, timestamps, overheadMs) }));
  mkdirSync(opts.outDir, { recursive: true });
  for (const { m, rows, tsTotal, gapTotal, subTotal } of results) {
    console.log(`\n=== ${m.neuron}: batch ${opts.batch}, hidden ${opts.hidden}, T ${arch.steps}; ${m.ops.filter((o) => o.kind === 'dispatch').length} dispatches + ${m.ops.filter((o) => o.kind === 'copy').length} copies per step`);
    console.log(`normal step (one submit): ${fixed(median(m.normalMs), 1)} ms; with the loss read back: ${fixed(median(m.normalLossMs), 1)} ms`);
    if (timestamps) console.log(`timestamped dispatches: ${fixed(tsTotal, 1)} ms summed (medians), ${fixed(gapTotal, 1)} ms between them; that replay's wall ${fixed(median(m.tsWall), 1)} ms`);
    if (m.subRuns.length > 0) console.log(`submit-each: ${fixed(subTotal, 1)} ms summed, after ${fixed(overheadMs, 3)} ms round trip off each`);
    console.log(`share: of the ${timestamps ? 'timestamped' : 'submit-each'} sum\n`);
    printTable(
      ['#', 'kernel label', 'kind', 'wg size', 'workgroups', 'disp', 'ms ts', 'gap', 'ms sub', 'share', 'share sub', 'fused'],
      rows.slice(0, opts.top).map((r, i) => [
        String(i + 1),
        r.label,
        r.kind,
        r.workgroupSize,
        r.workgroups.join('x'),
        String(r.dispatches),
        fixed(r.ms_timestamp),
        fixed(r.ms_gap_before),
        fixed(r.ms_submit_each_minus_overhead),
        pct(r.share),
        pct(r.share_submit_each),
        String(r.nodes),
      ]),
      5,
    );
    const rest = rows.slice(opts.top);
    if (rest.length > 0) console.log(`... ${rest.length} more kernels, ${pct(rest.reduce((n, r) => n + r.share, 0))} together`);
    console.log('\nbindings:');
    rows.slice(0, opts.top).forEach((r, i) => console.log(`${String(i + 1).padStart(3)} ${r.label}: ${r.bindings.join('; ')}`));
    if (opts.wgsl !== undefined) {
      for (const r of rows.filter((r) => r.code !== undefined && r.label.includes(opts.wgsl!))) console.log(`\n// ${r.label} (${r.kind}, ${r.workgroups.join('x')} workgroups)\n${r.code}`);
    }
    const json = {
      tool: 'bench/profile-step.ts',
      date: new Date().toISOString(),
      neuron: m.neuron,
      arch,
      batch: opts.batch,
      data: opts.synthetic ? 'synthetic' : 'mnist rows',
      adapter: ctx.adapterInfo,
      timestampQuery: timestamps,
      loadavg: loadavg(),
      profiledTogether: opts.neurons,
      reps: opts.reps,
      submitReps: opts.submitReps,
      dispatchesPerStep: m.ops.filter((o) => o.kind === 'dispatch').length,
      copiesPerStep: m.ops.filter((o) => o.kind === 'copy').length,
      stepMs: {
        normalSubmit: median(m.normalMs),
        normalWithLossRead: median(m.normalLossMs),
        replayOneSubmit: timestamps ? median(m.plainReplay) : null,
        timestampedReplayWall: timestamps ? median(m.tsWall) : null,
      },
      evalMsPerBatch: opts.evaluate ? median(m.evalMs) : null,
      sumOfDispatchesMs: { timestamp: timestamps ? tsTotal : null, gapsBetweenTimestamps: timestamps ? gapTotal : null, submitEachMinusOverhead: m.subRuns.length > 0 ? subTotal : null },
      emptySubmitMs: overheadMs,
      kernels: rows.map(({ code: _code, ...r }) => r),
    };
    const path = join(opts.outDir, `profile-step-${m.neuron}.json`);
    writeFileSync(path, `${JSON.stringify(json, null, 1)}\n`);
    log(`wrote ${path}`);
  }

  if (results.length > 1) {
    const [a, ...others] = results;
    for (const b of others) {
      const key = (r: KernelRow) => (timestamps ? r.ms_timestamp! : r.ms_submit_each_minus_overhead!);
      console.log(`\n=== ${a!.m.neuron} vs ${b.m.neuron} (same process, interleaved)`);
      const na = median(a!.m.normalMs);
      const nb = median(b.m.normalMs);
      console.log(`normal step: ${fixed(na, 1)} vs ${fixed(nb, 1)} ms (x${fixed(na / nb)}); with loss read ${fixed(median(a!.m.normalLossMs), 1)} vs ${fixed(median(b.m.normalLossMs), 1)} ms`);
      if (opts.evaluate) console.log(`evaluation per batch: ${fixed(median(a!.m.evalMs), 1)} vs ${fixed(median(b.m.evalMs), 1)} ms (x${fixed(median(a!.m.evalMs) / median(b.m.evalMs))})`);
      const ta = timestamps ? a!.tsTotal : a!.subTotal;
      const tb = timestamps ? b.tsTotal : b.subTotal;
      console.log(`sum of dispatches: ${fixed(ta, 1)} vs ${fixed(tb, 1)} ms (x${fixed(ta / tb)}), difference ${fixed(ta - tb, 1)} ms\n`);
      const scopes = new Map<string, [number, number, number, number]>();
      for (const [k, res] of [a!, b].entries()) {
        for (const r of res.rows) {
          const s = scopes.get(scopeOf(r.label)) ?? [0, 0, 0, 0];
          s[k] += key(r);
          s[k + 2] += r.dispatches;
          scopes.set(scopeOf(r.label), s);
        }
      }
      printTable(
        ['scope', `${a!.m.neuron} ms`, 'disp', `${b.m.neuron} ms`, 'disp', 'difference'],
        [...scopes]
          .sort((x, y) => Math.abs(y[1][0] - y[1][1]) - Math.abs(x[1][0] - x[1][1]))
          .map(([scope, [x, y, dx, dy]]) => [scope, fixed(x), String(dx), fixed(y), String(dy), fixed(x - y)]),
        1,
      );
      const labelsB = new Set(b.rows.map((r) => r.label));
      const labelsA = new Set(a!.rows.map((r) => r.label));
      console.log(`\nkernels only in ${a!.m.neuron} (by label):`);
      for (const r of a!.rows.filter((r) => !labelsB.has(r.label) && key(r) > 0.05 * (ta / a!.rows.length))) console.log(`  ${fixed(key(r)).padStart(7)} ms  ${r.label} (${r.kind}): ${r.bindings.join('; ')}`);
      console.log(`kernels only in ${b.m.neuron} (by label):`);
      for (const r of b.rows.filter((r) => !labelsA.has(r.label) && key(r) > 0.05 * (tb / b.rows.length))) console.log(`  ${fixed(key(r)).padStart(7)} ms  ${r.label} (${r.kind}): ${r.bindings.join('; ')}`);
    }
  }
  for (const m of models) m.trainer.destroy();
  device.destroy();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
