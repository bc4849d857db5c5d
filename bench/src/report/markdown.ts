import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChartSpec, lineChartSpec, plotSvg, type PlotSpec } from '@spikeflow/plot';
import type { Row } from '../harness/row.js';
import { distinct, mib, num, table, timed } from './format.js';
import { checkTable, howTimed, skippedLine, timingTable } from './peer-tables.js';
import { coldStartSection } from './cold-start-tables.js';
import { BPTT_MEMORY_WORKLOAD } from '../suites/bptt-memory.js';
import { COPY_WORKLOAD, LIF_BANDWIDTH_WORKLOAD, MATMUL_WORKLOAD } from '../suites/device-limits.js';
import { WASM_MATMUL_WORKLOAD } from '../suites/wasm-matmul.js';
import { LIF_MLP_WORKLOAD } from '../suites/lif-mlp.js';
import { PSN_WORKLOAD } from '../suites/psn.js';
import { SPIKE_STORAGE_WORKLOAD } from '../suites/spike-storage.js';
import { FINITE_CHECK_WORKLOAD } from '../suites/finite-check.js';
import { EPROP_MEMORY_WORKLOAD, EPROP_PEAK_GROWTH_BOUND, EPROP_SPIKE_INPUTS } from '../suites/eprop-memory.js';
import { PSN_VS_LIF_BACKWARD, PSN_VS_LIF_FORWARD } from '../suites/psn-vs-lif.js';
import { met, targetChecks } from './targets.js';

export interface ReportOptions {
  readonly reportFile: string;
  readonly chartsDir: string;
  readonly quick: boolean;
  /** Lines about the run: date, device, Node, shader cache. */
  readonly about: readonly string[];
}

/**
 * Hand-written notes on the code generator's tuning constants, appended verbatim to every report:
 * their measurements come from one-off experiments, not from the suites' rows.
 */
export const KERNEL_TUNING_NOTES_FILE = fileURLToPath(new URL('../../kernel-tuning-notes.md', import.meta.url));

/** The workloads' definitions, which the report links to. */
const WORKLOADS_FILE = fileURLToPath(new URL('../../WORKLOADS.md', import.meta.url));

/** Kernels listed per profile: the ones that take the time. */
const TOP_KERNELS = 5;

/** The report: every table and chart, regenerated from the rows, then the kernel tuning notes. */
export async function writeReport(rows: readonly Row[], options: ReportOptions): Promise<void> {
  const of = (workload: string) => rows.filter((r) => r.workload === workload);
  // Charts are rendered (asynchronously) once the sections are laid out.
  const charts: { file: string; spec: PlotSpec }[] = [];
  const chartLink = (file: string, spec: PlotSpec, alt: string) => {
    charts.push({ file, spec });
    return `![${alt}](${path.relative(path.dirname(options.reportFile), path.join(options.chartsDir, file)).split(path.sep).join('/')})`;
  };
  const sections: string[] = [];

  const checks = targetChecks(rows);
  if (checks.length > 0) {
    sections.push(
      '## Targets',
      'Each ratio from the rows below, against the issue that set it (7: the first speed targets; 22: the WebGPU kernels against the rates of the best hand-written kernels on lavapipe, meaningful on that device only, and the WebGPU steps against every peer; where both set a goal for the same ratio, issue 22\'s is shown). A row without its measurement (a suite not run, a peer missing) is left out.',
      table(
        ['issue', 'target', 'case', 'measured', 'goal', ''],
        checks.map((t) => [String(t.issue), t.target, t.case, `${t.measured.toFixed(2)}×`, `${t.higherIsBetter ? '≥' : '≤'} ${t.goal}×`, met(t) ? 'met' : '**missed**']),
      ),
    );
  }

  const kernelTables = (workload: string) =>
    distinct(of(`${workload} kernels`).map((r) => `${r.T ?? ''}/${r.B ?? ''}/${r.N ?? ''}`)).map((key) => {
      const list = of(`${workload} kernels`).filter((r) => `${r.T ?? ''}/${r.B ?? ''}/${r.N ?? ''}` === key);
      const top = [...list].sort((a, b) => Number(b.ms_per_call) - Number(a.ms_per_call)).slice(0, TOP_KERNELS);
      const size = [list[0]!.T && `T = ${list[0]!.T}`, list[0]!.B && `B = ${list[0]!.B}`, list[0]!.N && `N = ${list[0]!.N}`].filter(Boolean).join(', ');
      return [
        `Where spikeflow's time goes at ${size} (${list.length} kernels, each timed alone; top ${top.length}):`,
        '',
        table(
          ['kernel', 'kind', 'dispatches', 'ms per call', 'share'],
          top.map((k) => [`\`${k.kernel}\``, String(k.kind), String(k.dispatches), num(k.ms_per_call, 2), `${(100 * Number(k.share)).toFixed(0)}%`]),
        ),
      ].join('\n');
    });

  // W1
  const w1 = of(LIF_MLP_WORKLOAD);
  if (w1.length > 0) {
    const impls = distinct(w1.map((r) => r.impl));
    const Ts = distinct(w1.map((r) => r.T!));
    const at = (impl: string, T: number) => w1.find((r) => r.impl === impl && r.T === T);
    const rates = Ts.map((T) => at('spikeflow', T) ?? w1.find((r) => r.T === T)!).map((r) => `T = ${r.T}: ${(100 * Number(r.rate1)).toFixed(1)}% / ${(100 * Number(r.rate2)).toFixed(1)}%`);
    sections.push(
      `## ${LIF_MLP_WORKLOAD}`,
      `Forward, BPTT backward, SGD update and a blocking read of the loss, B = 64, one step per sample; every implementation uploads the batch (x, the labels) at each step. x holds 0/1 spikes in every implementation (a dense float32 tensor in the peers). \`spikeflow\` is told that x holds spikes (\`spikeInputs: ['x']\`, as W1 defines it), so x is stored as bits and the input matmuls skip its zeros; \`spikeflow-dense-x\` is the same step without that declaration. \`spikeflow-wasm\` and \`spikeflow-wasm-dense-x\` are the same two on the WebAssembly CPU backend (\`nodeWasmBackend\`, threads in the device column): the first is compiled with the same declaration (\`spikeInputs: ['x']\`; the backend keeps x as bools, checks each feed holds only 0 and 1, and its x·W1 and xᵀ·dH1 take the zero-skipping spike matmul); both take that matmul for the hidden spikes. ${howTimed(w1)} Firing rates of the hidden / output layer: ${rates.join(', ')}.`,
      ...checkTable(of(`${LIF_MLP_WORKLOAD} check`), ['dW1', 'dW2', 'update']),
      ...skippedLine(of(`${LIF_MLP_WORKLOAD} skipped`)),
      timingTable(w1, ['T']),
      chartLink('w1.svg', barChartSpec({ title: 'W1 LIF-MLP training step (B = 64)', yLabel: 'ms per step (log)', logY: true, categories: Ts.map((T) => `T = ${T}`), series: impls.map((i) => ({ name: i, values: Ts.map((T) => at(i, T)?.ms_median ?? null) })) }), 'W1 chart'),
      ...kernelTables(LIF_MLP_WORKLOAD),
    );
  }

  // W2
  const w2 = of(PSN_WORKLOAD);
  if (w2.length > 0) {
    const impls = distinct(w2.map((r) => r.impl));
    const sizes = distinct(w2.map((r) => `${r.T}/${r.N}`)).map((k) => k.split('/').map(Number) as [number, number]);
    const at = (impl: string, [T, N]: [number, number]) => w2.find((r) => r.impl === impl && r.T === T && r.N === N);
    sections.push(
      `## ${PSN_WORKLOAD}`,
      'H = W X + b, ATan spike, loss = sum(S G); one step computes dW, db and dX and blocks until all are done. X, G, W and b stay on the device (in memory for the CPU implementations). ' + howTimed(w2),
      ...checkTable(of(`${PSN_WORKLOAD} check`), ['dW', 'db', 'dX']),
      ...skippedLine(of(`${PSN_WORKLOAD} skipped`)),
      timingTable(w2, ['T', 'N'], [{ header: 'GFLOP/s', cell: (r) => num(r.gflops, 2) }]),
      chartLink('w2.svg', barChartSpec({ title: 'W2 PSN forward+backward', yLabel: 'ms per step (log)', logY: true, categories: sizes.map(([T, N]) => `T ${T}, N ${N / 1024}Ki`), series: impls.map((i) => ({ name: i, values: sizes.map((s) => at(i, s)?.ms_median ?? null) })) }), 'W2 chart'),
      ...kernelTables(PSN_WORKLOAD),
    );
  }

  const wasmMatmul = of(WASM_MATMUL_WORKLOAD);
  if (wasmMatmul.length > 0) {
    sections.push(
      `## ${WASM_MATMUL_WORKLOAD}`,
      `C = A @ B, n = ${wasmMatmul[0]!.N}, on the CPU: W3's graph compiled by \`nodeWasmBackend\` (pack A, pack B, the SIMD register-tiled multiply), ${wasmMatmul[0]!.products} products per sample, C checked against a float64 product first; the thread counts alternate in rounds. CPU/wall is the CPU time the process got per wall-clock time (about the thread count when each thread had a core of its own): on a loaded machine it says how much of a row is waiting for a core.`,
      table(
        ['threads', 'ms per sample', 'GFLOP/s (median)', 'GFLOP/s (best)', 'CPU/wall', 'load'],
        wasmMatmul.map((r) => [String(r.threads), timed(r), num(r.gflops, 1), num(r.gflops_best, 1), num(r.cpu_per_wall, 2), num(r.load_1min, 1)]),
      ),
    );
  }

  // W3
  const matmul = of(MATMUL_WORKLOAD);
  const copy = of(COPY_WORKLOAD);
  const lif = of(LIF_BANDWIDTH_WORKLOAD);
  if (matmul.length + copy.length + lif.length > 0) {
    const labelled = [...matmul, ...copy].map((r) => ({ r, label: r.impl === 'spikeflow' ? `spikeflow (${r.kernel})` : String(r.kernel) }));
    sections.push(
      '## W3 device limits',
      `Matmul: C = A @ B, n = ${matmul[0]?.N ?? '–'}, ${matmul[0]?.products ?? '–'} back-to-back products then a blocking readback of C per sample (the reference kernels are checked against spikeflow's C first). Copy: y = 2x on ${copy[0]?.N ?? '–'} floats, ${copy[0]?.copies ?? '–'} back-to-back, then a wait for the queue; GB/s counts 8 bytes per element.`,
      table(
        ['workload', 'impl', 'kernel', 'ms per sample', 'GFLOP/s or GB/s'],
        labelled.map(({ r }) => [r.workload, r.impl, String(r.kernel), timed(r), r.workload === MATMUL_WORKLOAD ? `${num(r.gflops, 2)} GFLOP/s` : `${num(r.gbps, 2)} GB/s`]),
      ),
      ...(matmul.length > 0 ? [chartLink('w3-matmul.svg', barChartSpec({ title: `matmul n = ${matmul[0]!.N}`, yLabel: 'GFLOP/s', categories: ['GFLOP/s'], series: matmul.map((r) => ({ name: r.impl === 'spikeflow' ? 'spikeflow' : String(r.kernel), values: [Number(r.gflops)] })) }), 'matmul chart')] : []),
      ...(copy.length > 0 ? [chartLink('w3-copy.svg', barChartSpec({ title: 'y = 2x bandwidth', yLabel: 'GB/s', categories: ['GB/s'], series: copy.map((r) => ({ name: r.impl === 'spikeflow' ? 'spikeflow' : String(r.kernel), values: [Number(r.gbps)] })) }), 'copy chart')] : []),
      ...kernelTables(MATMUL_WORKLOAD),
    );
    if (lif.length > 0) {
      sections.push(
        '### Multi-step LIF forward+backward against the copy bandwidth',
        "The gradient of sum(S G) w.r.t. X of one LIF layer over X [T, N]. Bytes are those the fused scan kernels (forward and reverse-time) bind, each read or written once; GB/s divides them by the whole call's time, and by the scan kernels' own time (each timed alone).",
        table(
          ['T', 'N', 'ms per call', 'scan bytes', 'GB/s (whole call)', 'of copy', 'GB/s (scan kernels alone)', 'of copy'],
          lif.map((r) => [String(r.T), String(r.N), timed(r), mib(r.scan_bytes), num(r.gbps, 2), `${(100 * Number(r.fraction_of_copy)).toFixed(0)}%`, num(r.scan_gbps, 2), `${(100 * Number(r.scan_fraction_of_copy)).toFixed(0)}%`]),
        ),
        ...kernelTables(LIF_BANDWIDTH_WORKLOAD),
      );
    }
  }

  // PSN vs LIF
  for (const workload of [PSN_VS_LIF_FORWARD, PSN_VS_LIF_BACKWARD]) {
    const list = of(workload);
    if (list.length === 0) continue;
    const layers = distinct(list.map((r) => String(r.layer)));
    sections.push(`## ${workload}`, workload === PSN_VS_LIF_FORWARD ? 'Spikes and loss = sum(S G) over X [T, N], read back blocking. ms: median (min–max).' : 'Also the gradients w.r.t. the layer\'s params and X. ms: median (min–max).');
    for (const N of distinct(list.map((r) => r.N!))) {
      const Ts = distinct(list.filter((r) => r.N === N).map((r) => r.T!));
      const at = (layer: string, T: number) => list.find((r) => r.layer === layer && r.T === T && r.N === N);
      const slug = `${workload === PSN_VS_LIF_FORWARD ? 'fwd' : 'fwdbwd'}-${N}`;
      sections.push(
        `N = ${N}:`,
        table(['T', ...layers.map((l) => `${l} (ms)`)], Ts.map((T) => [String(T), ...layers.map((l) => timed(at(l, T)))])),
        chartLink(`psn-vs-lif-${slug}.svg`, lineChartSpec({ title: `${workload}, N = ${N}`, yLabel: 'ms per call (log)', xLabel: 'T', x: Ts, logX: true, logY: true, series: layers.map((l) => ({ name: l, values: Ts.map((T) => at(l, T)?.ms_median ?? null) })) }), `${workload} N = ${N}`),
      );
    }
  }

  // Spike storage
  const bySpikes = of(SPIKE_STORAGE_WORKLOAD);
  if (bySpikes.length > 0) {
    sections.push(
      `## ${SPIKE_STORAGE_WORKLOAD}`,
      "spikeflow's W1 training step (B = 64) compiled four ways, each variant timed in turn (one step each per round) so load changes hit all alike; agreement of the gradients between variants is checked first (tolerance 1e-4). Bit-packed spikes are read through an unpack in the consuming kernels; zero skipping makes a matmul whose left operand is a packed spike train visit only its spikes (s1·W2 and s1ᵀ·dH2 by default; x·W1 and xᵀ·dH1 too once x is declared a spike input). ms: median (min–max). Memory: the step's static plan.",
      table(
        ['T', 'variant', 'ms', 'speed vs f32', 'saved spikes', 'planned peak', 'resident'],
        bySpikes.map((r) => [String(r.T), r.impl, timed(r), `${num(r.speedup_vs_f32, 2)}×`, `${(Number(r.saved_spike_bytes) / 2 ** 10).toFixed(1)} KiB`, mib(r.peak_bytes), mib(r.resident_bytes)]),
      ),
    );
  }

  // The trainer's non-finite check
  const finite = of(FINITE_CHECK_WORKLOAD);
  if (finite.length > 0) {
    sections.push(
      `## ${FINITE_CHECK_WORKLOAD}`,
      "The Trainer on W1 (B = 64, SGD, x a spike input) with `checkFinite` off and on, one step per epoch so the check runs after every step (its worst case; by default it runs once per epoch). The check scans the fed batch on the host, checks the labels, and counts the non-finite values of the weights on the device, reading back one count per weight. Timed in turns, the order swapped every round. Overhead: the median of the paired differences (each round's two steps back to back) over the unchecked median; check alone: the feed scan and the on-device count timed by themselves in the same rounds, over the unchecked median. ms: median (min–max).",
      table(
        ['T', 'variant', 'ms', 'vs unchecked (medians)', 'overhead (paired)', 'check alone'],
        finite.map((r) => [
          String(r.T),
          r.impl,
          timed(r),
          `${num(r.ratio_to_unchecked, 3)}×`,
          typeof r.paired_overhead === 'number' ? `${num(r.paired_overhead_ms, 2)} ms (${(100 * r.paired_overhead).toFixed(1)}%)` : '–',
          typeof r.check_alone_overhead === 'number' ? `${num(r.check_alone_ms, 2)} ms (${(100 * r.check_alone_overhead).toFixed(1)}%)` : '–',
        ]),
      ),
    );
  }

  // Memory
  const memory = of(BPTT_MEMORY_WORKLOAD);
  if (memory.length > 0) {
    sections.push(
      `## ${BPTT_MEMORY_WORKLOAD}`,
      "The compiler's static memory plan (exe.stats) of W1's gradient graph at B = 64. Resident: inputs, params and outputs; saved: the tensors BPTT keeps from the forward to the backward pass (savedTensorStats, counted as float32); temporaries: the shared buffers of everything else. Spikes: the spike trains the compiler proves and keeps across other work, stored as float32 or as bits (32 per u32, the default); with x declared a spike input (`spikeInputs`), the input spikes count too. The hidden spikes s1 are read again by the backward's last matmul (dW2 = s1ᵀ·dH2), so they are live at its peak (the dS matmul, with the membrane and dH2): stored as bits they add 1/32 of their float32 bytes there, which is what brings the peak within 1.25× of resident + saved (1.41–1.48× with float32 spikes); packing x shrinks the resident bytes. With checkpoints, the compiler computes x·W1, dS1 = dH2·W2ᵀ and dW1 = xᵀ·dH1 per checkpoint segment inside the segment loops (`sinkIntoSegmentScans`) and packs the forward's hidden spikes to bits segment by segment, so no [T, B, H] buffer remains; a segment body's own buffers share slots and dH1 overwrites dS1 in place. The checkpointed rows went from 2.08–2.12× to 1.08 / 1.13 / 1.26× (T = 512 / 128 / 32), and T = 32 to 1.23× once the add of dW1's per-segment partial into the running sum wrote over the partial (an elementwise kernel writing in place over a temporary it reads last).",
      table(
        ['T', 'checkpoints', 'spikes stored as', 'planned peak', 'resident', 'temporaries', 'saved', 'saved spikes', 'peak / (resident + saved)', 'temporaries / saved', 'unshared', 'largest buffers'],
        memory.map((r) => [
          String(r.T),
          r.checkpoint_every === null ? 'none' : `every ${r.checkpoint_every}`,
          String(r.spike_storage),
          mib(r.peak_bytes),
          mib(r.resident_bytes),
          mib(r.temporary_bytes),
          mib(r.saved_bytes),
          typeof r.saved_spike_bytes === 'number' ? `${(r.saved_spike_bytes / 2 ** 10).toFixed(1)} KiB` : '–',
          `${num(r.peak_over_resident_plus_saved, 2)}×`,
          `${num(r.temporaries_over_saved, 2)}×`,
          mib(r.unshared_bytes),
          String(r.largest_buffers).replace(/\|/g, '\\|'),
        ]),
      ),
      chartLink(
        'bptt-memory.svg',
        barChartSpec({
          title: 'W1 BPTT memory plan (B = 64)',
          yLabel: 'MiB',
          categories: memory.map((r) => `T ${r.T}${r.checkpoint_every === null ? '' : ` ck ${r.checkpoint_every}`} ${r.spike_storage}`),
          series: [
            { name: 'planned peak', values: memory.map((r) => Number(r.peak_bytes) / 2 ** 20) },
            { name: 'resident + saved', values: memory.map((r) => (Number(r.resident_bytes) + Number(r.saved_bytes)) / 2 ** 20) },
          ],
        }),
        'BPTT memory chart',
      ),
    );
  }

  // e-prop vs BPTT
  const online = of(EPROP_MEMORY_WORKLOAD);
  if (online.length > 0) {
    const Ts = distinct(online.map((r) => r.T!)).sort((a, b) => a - b);
    const at = (impl: string, T: number) => online.find((r) => r.impl === impl && r.T === T);
    const growth = (impl: string, field: string) => {
      const [lo, hi] = [at(impl, Ts[0]!)?.[field], at(impl, Ts[Ts.length - 1]!)?.[field]];
      return typeof lo === 'number' && typeof hi === 'number' ? hi / lo - 1 : undefined;
    };
    // The bar is e-prop's; BPTT's growth is listed beside it.
    const verdict = (impl: string, g: number | undefined) =>
      g === undefined ? '–' : `${g >= 0 ? '+' : ''}${(100 * g).toFixed(1)}%${impl === 'e-prop' ? `: ${g <= EPROP_PEAK_GROWTH_BOUND ? 'met' : '**not met**'}` : ''}`;
    const range = `T = ${Ts[0]} → ${Ts[Ts.length - 1]}`;
    sections.push(
      `## ${EPROP_MEMORY_WORKLOAD}`,
      `One SGD training step of the same recurrent network (\`onlineNetwork\`: ${online[0]!.N} soft-reset LIF neurons, 100 inputs, 10 outputs, readout decay 0.8, B = ${online[0]!.B}), its updates by e-prop (traces and summed updates carried in the forward scan) or by BPTT. ${EPROP_SPIKE_INPUTS.join(' and ')} are declared spike inputs (they hold only 0 and 1; the host checks every feed), so the step-loop scans of both rules read them from packed bits, 32 per u32. Memory: the compiler's static plan of the whole train step, fed batch included (the executable allocates exactly its buffers); fed batch: x, targets and mask as stored, T-sized for both rules. A plan whose largest buffer exceeds the device's per-binding limit is reported as not fitting, with its size. Time: ms per step with a blocking loss read, median (min–max), the two rules stepped in turns.`,
      table(
        ['T', 'rule', 'planned peak', 'peak without the fed batch', 'fed batch', 'largest buffer', 'fits', 'ms per step', 'first call (ms)'],
        online.map((r) => [String(r.T), r.impl, mib(r.peak_bytes), mib(r.peak_without_feeds_bytes), mib(r.feed_bytes), mib(r.largest_buffer_bytes), r.fits === true ? 'yes' : `**does not fit** (limit ${mib(r.binding_limit_bytes)})`, timed(r), num(r.first_run_ms, 0)]),
      ),
      `Growth of the planned peak over ${range} (acceptance: e-prop's whole-step peak within ${100 * EPROP_PEAK_GROWTH_BOUND}%):`,
      table(
        ['rule', `whole-step peak, T = ${Ts[Ts.length - 1]} / T = ${Ts[0]}`, 'growth of the whole-step peak', 'growth without the fed batch'],
        distinct(online.map((r) => r.impl)).map((impl) => {
          const g = growth(impl, 'peak_bytes');
          return [impl, g === undefined ? '–' : `${(1 + g).toFixed(3)}×`, verdict(impl, g), verdict(impl, growth(impl, 'peak_without_feeds_bytes'))];
        }),
      ),
    );
  }

  sections.push(...coldStartSection(rows));

  const workloadsLink = path.relative(path.dirname(options.reportFile), WORKLOADS_FILE).split(path.sep).join('/');
  const header = [
    '# Benchmarks',
    '',
    `_Generated by \`pnpm bench${options.quick ? ' --quick' : ''}\` from \`${path.relative(path.resolve(path.dirname(WORKLOADS_FILE), '..'), path.join(options.chartsDir, 'latest.json')).split(path.sep).join('/')}\`; do not edit by hand. Workloads: [bench/WORKLOADS.md](${workloadsLink}); code: bench/src; kernel tuning notes: bench/kernel-tuning-notes.md._`,
    '',
    ...options.about.map((line) => `- ${line}`),
    '- Times are wall-clock ms of blocking calls: median (min–max) over the timed repetitions. The first call of each size is reported apart (first run): on lavapipe it compiles every shader it meets.',
    '- Every row also records the 1-minute load average when it was measured: on a shared machine, compare rows taken under similar load.',
  ];
  const notes = readFileSync(KERNEL_TUNING_NOTES_FILE, 'utf8');
  for (const { file, spec } of charts) writeFileSync(path.join(options.chartsDir, file), await plotSvg(spec));
  writeFileSync(options.reportFile, [...header, '', ...sections.flatMap((s) => [s, '']), notes].join('\n'));
}
