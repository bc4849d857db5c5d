/**
 * `pnpm bench [--quick] [--only=w1,w2,...] [--wasm-threads=N] [--report-only]`: runs every suite one after another,
 * writes the rows to results/latest.json and regenerates BENCHMARKS.md with its charts. Quick mode
 * (the smallest sizes, few reps) writes under results/quick/ so it never replaces the full
 * results; it exists to keep the harness alive in CI and asserts nothing about timings.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireNodeDevice } from '@spikeflow/webgpu/node';
import { benchConfig, CPU_IMPLS, type ImplSelection } from './config.js';
import type { BenchContext, Suite } from './context.js';
import type { Row } from './harness/row.js';
import { writeReport } from './report/markdown.js';
import { TFJS_VERSION } from './tfjs/load.js';
import { findPeers, type PeerSet } from './peers/peer-set.js';
import { DEFAULT_WASM_THREADS } from './peers/protocol.js';
import { lifMlpSuite } from './suites/lif-mlp.js';
import { psnSuite } from './suites/psn.js';
import { deviceLimitsSuite } from './suites/device-limits.js';
import { wasmMatmulSuite } from './suites/wasm-matmul.js';
import { psnVsLifSuite } from './suites/psn-vs-lif.js';
import { bpttMemorySuite } from './suites/bptt-memory.js';
import { spikeStorageSuite } from './suites/spike-storage.js';
import { finiteCheckSuite } from './suites/finite-check.js';
import { epropMemorySuite } from './suites/eprop-memory.js';
import { coldStartSuite } from './suites/cold-start.js';

const SUITES: readonly Suite[] = [lifMlpSuite, psnSuite, deviceLimitsSuite, wasmMatmulSuite, psnVsLifSuite, bpttMemorySuite, spikeStorageSuite, finiteCheckSuite, epropMemorySuite, coldStartSuite];

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = path.resolve(benchDir, '..');

function parseArgs(argv: readonly string[]) {
  const args = argv.filter((a) => a !== '--');
  const valueOf = (flag: string) => args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  const only = valueOf('--only')?.split(',');
  const out = valueOf('--out');
  const threadsText = valueOf('--wasm-threads');
  const unknown = args.filter((a) => !['--quick', '--report-only', '--gpu-only', '--cpu-only'].includes(a) && !['--only=', '--out=', '--wasm-threads='].some((flag) => a.startsWith(flag)));
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')} (use --quick, --gpu-only, --cpu-only, --only=${SUITES.map((s) => s.id).join(',')}, --out=DIR, --wasm-threads=N, --report-only)`);
  if (out === '') throw new Error('--out needs a folder: --out=DIR');
  const wasmThreads = threadsText === undefined ? DEFAULT_WASM_THREADS : Number(threadsText);
  if (!Number.isInteger(wasmThreads) || wasmThreads < 1 || wasmThreads > 64) throw new Error(`--wasm-threads: '${threadsText}' is not a whole number of threads from 1 to 64`);
  const ids = SUITES.map((s) => s.id);
  const bad = only?.filter((id) => !ids.includes(id)) ?? [];
  if (bad.length > 0) throw new Error(`unknown suites: ${bad.join(', ')} (known: ${ids.join(', ')})`);
  if (args.includes('--gpu-only') && args.includes('--cpu-only')) throw new Error('--gpu-only and --cpu-only exclude each other');
  const selection: ImplSelection = args.includes('--gpu-only') ? 'gpu' : args.includes('--cpu-only') ? 'cpu' : 'all';
  return { quick: args.includes('--quick'), selection, reportOnly: args.includes('--report-only'), only, out, wasmThreads };
}

/** The report's line about the peers: the versions found, or why one is missing. */
function peerLine(peers: PeerSet | undefined): string {
  const tfjs = `TensorFlow.js ${TFJS_VERSION} (tfjs-backend-webgpu on the same GPU, tfjs-backend-wasm on the CPU)`;
  if (peers === undefined) return `Peers: ${tfjs}; W1 and W2 were not run, so PyTorch and jax-js were not looked for.`;
  const torch = 'missing' in peers.torch ? `PyTorch: not run (${peers.torch.missing})` : `PyTorch ${peers.torch.version} on the CPU`;
  const jax = 'missing' in peers.jax ? `jax-js: not run (${peers.jax.missing})` : `jax-js ${peers.jax.version} (wasm on the CPU, webgpu on the same GPU)`;
  return `Peers: ${tfjs}; ${torch}; ${jax}. Each implementation runs in processes of its own, in interleaved rounds.`;
}

async function main(): Promise<void> {
  const { quick, selection, reportOnly, only, out, wasmThreads } = parseArgs(process.argv.slice(2));
  // --out keeps a run apart (its rows, report and charts together), as quick mode's folder does.
  const resultsDir = out !== undefined ? path.resolve(out) : path.join(benchDir, 'results', ...(quick ? ['quick'] : []));
  const latest = path.join(resultsDir, 'latest.json');
  const reportFile = quick || out !== undefined ? path.join(resultsDir, 'BENCHMARKS.md') : path.join(repoRoot, 'BENCHMARKS.md');
  mkdirSync(resultsDir, { recursive: true });
  const started = performance.now();
  const log = (message: string) => console.log(`[${((performance.now() - started) / 1e3).toFixed(0).padStart(4)} s] ${message}`);

  const runFile = path.join(resultsDir, 'run.json');
  let rows: Row[];
  let about: string[];
  if (reportOnly) {
    rows = JSON.parse(readFileSync(latest, 'utf8')) as Row[];
    about = JSON.parse(readFileSync(runFile, 'utf8')) as string[];
  } else {
    // A full run reports real first-call compile times, so Mesa must not answer from its on-disk
    // shader cache (set before dawn.node loads the Vulkan driver). Quick runs keep the cache.
    if (!quick) process.env.MESA_SHADER_CACHE_DISABLE = 'true';
    const gpu = await acquireNodeDevice();
    let peers: Promise<PeerSet> | undefined;
    const ctx: BenchContext = { config: benchConfig(quick, selection, wasmThreads), gpu, peers: () => (peers ??= findPeers()), log };
    log(`${quick ? 'quick' : 'full'} run on ${gpu.adapterInfo}`);
    // With --only, the other suites' rows of the last run are kept.
    rows = only && existsSync(latest) ? (JSON.parse(readFileSync(latest, 'utf8')) as Row[]).filter((r) => !only.includes(String(r.suite))) : [];
    for (const suite of SUITES.filter((s) => only === undefined || only.includes(s.id))) {
      log(`== ${suite.title}`);
      rows.push(...(await suite.run(ctx)).map((r) => ({ ...r, suite: suite.id })));
      // Written after every suite, so a long run that is stopped keeps what it measured.
      writeFileSync(latest, JSON.stringify(rows, null, 1) + '\n');
    }
    gpu.device.destroy();
    const when = `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const minutes = `${((performance.now() - started) / 60e3).toFixed(1)} min`;
    const selectionNote = selection === 'gpu' ? ', GPU implementations only (one round, short timing budgets)' : selection === 'cpu' ? `, CPU implementations only in W1 and W2 (${CPU_IMPLS.join(', ')})` : '';
    // A partial run adds a line to the description of the run whose other rows it keeps.
    const previous = only && existsSync(runFile) ? (JSON.parse(readFileSync(runFile, 'utf8')) as string[]) : undefined;
    about = previous ? [...previous, `Re-run of suites ${only!.join(', ')}${selectionNote}: ${when}, ${minutes}.`] : [
      `Run: ${when}, ${quick ? 'quick mode (smallest sizes, few repetitions)' : 'full mode'}${selectionNote}${only ? `, suites ${only.join(', ')}` : ''}, ${minutes} in all.`,
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}. GPU: ${gpu.adapterInfo} via dawn.node; Mesa shader disk cache ${process.env.MESA_SHADER_CACHE_DISABLE === 'true' ? 'off (first calls include every compilation)' : 'on (first calls may reuse shaders compiled by earlier runs)'}.`,
      peerLine(peers === undefined ? undefined : await peers),
    ];
    writeFileSync(runFile, JSON.stringify(about, null, 1) + '\n');
  }
  await writeReport(rows, { reportFile, chartsDir: resultsDir, quick, about });
  log(`wrote ${path.relative(repoRoot, latest)} (${rows.length} rows) and ${path.relative(repoRoot, reportFile)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  },
);
