/**
 * `pnpm reproduce [--only=a,b] [--seed=N] [--variants=x,y] [--quick] [--backend=auto|webgpu|wasm|cpu]`:
 * trains the models behind the published claims (LSNN store-recall, PSN on row-wise sequential MNIST,
 * plastic cue association, DEEP R, e-prop) on held-out data and writes
 * examples/reproduce/results/latest.json plus RESULTS.md.
 * With --only, the other experiments' rows of the last run are kept; rows of other seeds and of
 * other backends always are, so one model's rows on WebGPU and on WebAssembly sit side by side.
 * --variants trains only some models of one experiment (e.g. more seeds of one neuron). --quick is a smoke run of
 * every code path at tiny sizes and writes under results/quick/ (never over the real results).
 * --backend (or SPIKEFLOW_BACKEND) picks the backend as the CLI does; the default is auto, as
 * everywhere in the project: WebGPU on a hardware adapter, the WebAssembly backend on a software
 * adapter or without WebGPU, and WebGPU whatever the adapter under SPIKEFLOW_REQUIRE_WEBGPU=1 (CI).
 * --cpu is short for --backend=cpu (the commands of older rows use it). The log's first line names
 * the backend and why; each row's command names the backend it ran on.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeChoice, type BackendKind } from '@spikeflow/webgpu';
import { backendRequest, chooseBackend, type BackendRequest } from '../../packages/cli/src/backend-choice.js';
import type { ExperimentContext } from './experiment.js';
import { EXPERIMENTS } from './experiments/index.js';
import { format, mergeRows, readRows, resultsMarkdown, writeAtomically } from './results-file.js';
import { deviceText } from './row-backend.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

interface Args {
  readonly only: readonly string[] | undefined;
  readonly seed: number;
  readonly variants: readonly string[] | undefined;
  readonly quick: boolean;
  readonly backend: BackendRequest;
}

/** The backend flag: `--backend=<kind>`, or `--cpu` for `--backend=cpu`; given once. */
function backendFlag(args: readonly string[]): string | undefined {
  const given = [...args.filter((a) => a.startsWith('--backend=')).map((a) => a.slice('--backend='.length)), ...args.filter((a) => a === '--cpu').map(() => 'cpu')];
  if (given.length > 1) throw new Error(`--backend: given ${given.length} times (--cpu is --backend=cpu)`);
  return given[0];
}

function parseArgs(argv: readonly string[]): Args {
  const args = argv.filter((a) => a !== '--');
  const ids = EXPERIMENTS.map((e) => e.id);
  const unknown = args.filter((a) => !['--quick', '--cpu'].includes(a) && !/^--(only|seed|variants|backend)=/.test(a));
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')} (use --only=${ids.join(',')}, --seed=N, --variants=a,b, --quick, --backend=auto|webgpu|wasm|cpu)`);
  const value = (name: string): string | undefined => {
    const given = args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
    if (given.length > 1) throw new Error(`--${name}: given ${given.length} times`);
    if (given[0] === '') throw new Error(`--${name}: needs a value`);
    return given[0];
  };
  const only = value('only')?.split(',');
  const bad = only?.filter((id) => !ids.includes(id)) ?? [];
  if (bad.length > 0) throw new Error(`--only: unknown experiments ${bad.join(', ')} (known: ${ids.join(', ')})`);
  const seedText = value('seed') ?? '1';
  const seed = Number(seedText);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: must be a non-negative integer, got '${seedText}'`);
  const variants = value('variants')?.split(',');
  if (variants !== undefined) {
    const known = only?.length === 1 ? EXPERIMENTS.find((e) => e.id === only[0])!.variants : undefined;
    if (known === undefined) throw new Error(`--variants: needs --only=<one experiment with variants> (${EXPERIMENTS.filter((e) => e.variants).map((e) => `${e.id}: ${e.variants!.join(', ')}`).join('; ')})`);
    const unknownVariants = variants.filter((v) => !known.includes(v));
    if (unknownVariants.length > 0) throw new Error(`--variants: unknown for ${only![0]}: ${unknownVariants.join(', ')} (known: ${known.join(', ')})`);
  }
  return { only, seed, variants, quick: args.includes('--quick'), backend: backendRequest(backendFlag(args)) };
}

/**
 * The commit the code came from, marked when the working tree's tracked files differ from it
 * (unknown outside a git checkout). The results files are this program's output, not its code, so
 * rows not yet committed do not mark the next run.
 */
function sourceRevision(): string {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const code = [':(top)', ':(top,exclude)RESULTS.md', ':(top,exclude)examples/reproduce/results'];
    return `${run(['rev-parse', '--short', 'HEAD'])}${run(['status', '--porcelain', '--untracked-files=no', '--', ...code]) === '' ? '' : ' (with local changes)'}`;
  } catch {
    return 'unknown';
  }
}

/** The command that reruns one experiment as this run did: on the backend it ran on, whatever auto would pick elsewhere. */
function commandOf(id: string, args: Args, backend: BackendKind): string {
  return ['pnpm reproduce', `--only=${id}`, `--seed=${args.seed}`, ...(args.variants ? [`--variants=${args.variants.join(',')}`] : []), ...(args.quick ? ['--quick'] : []), `--backend=${backend}`].join(' ');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Taken before training: the code that runs is the code at start.
  const revision = sourceRevision();
  const resultsDir = path.join(here, 'results', ...(args.quick ? ['quick'] : []));
  const latest = path.join(resultsDir, 'latest.json');
  const report = args.quick ? path.join(resultsDir, 'RESULTS.md') : path.join(repoRoot, 'RESULTS.md');
  mkdirSync(resultsDir, { recursive: true });
  const started = performance.now();
  const log = (line: string) => console.log(`[${((performance.now() - started) / 1e3).toFixed(0).padStart(5)} s] ${line}`);

  const backend = await chooseBackend(args.backend);
  const ctxBase = { backend: backend.backend, device: deviceText(backend) };
  log(`${describeChoice(backend)}${args.quick ? ' (quick smoke run)' : ''}`);

  const chosen = EXPERIMENTS.filter((e) => args.only === undefined || args.only.includes(e.id));
  const titles = new Map(EXPERIMENTS.map((e) => [e.id, e.title]));
  for (const experiment of chosen) {
    log(`== ${experiment.id}: ${experiment.title}`);
    const ctx: ExperimentContext = { ...ctxBase, quick: args.quick, seed: args.seed, resultsDir, ...(args.variants ? { variants: args.variants } : {}), log: (line) => log(`${experiment.id}: ${line}`) };
    const own = (await experiment.run(ctx)).map((r) => ({ ...r, command: commandOf(experiment.id, args, backend.kind), revision }));
    for (const r of own) log(`${r.model}: ${r.metric} ${format(r.value)}${r.target ? ` (target ${r.target}: ${r.met ? 'met' : 'NOT met'})` : ''}, ${r.wall_s.toFixed(0)} s`);
    // Re-read just before writing, so runs of other experiments (or seeds) finishing meanwhile are kept;
    // written after each experiment so a stopped run keeps what it finished.
    const rows = mergeRows(readRows(latest), own, { experiment: experiment.id, seed: args.seed, ...(args.variants ? { models: own.map((r) => r.model) } : {}) }, EXPERIMENTS.map((e) => e.id));
    writeAtomically(latest, JSON.stringify(rows, null, 1) + '\n');
    writeAtomically(report, resultsMarkdown(rows, titles));
  }
  if (backend.kind === 'webgpu') backend.ctx.device.destroy();
  log(`wrote ${path.relative(repoRoot, latest)} and ${path.relative(repoRoot, report)}`);
}

main().catch((error: unknown) => {
  console.error(`reproduce: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
