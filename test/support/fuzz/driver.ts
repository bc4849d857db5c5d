import { evaluate, graphToJSON, type Graph, type HostTensor } from '@spikeflow/core';
import type { Tolerance } from '../parity/close.js';
import { compareOutput, emptyStats, FUZZ_TOLERANCE, mergeStats, type ErrorStats } from './compare.js';
import { buildPack, PACK_LOSS, seedOfOutput } from './pack.js';

/** A backend under fuzz: compiles and runs a graph, and may guard a check (catching its own errors). */
export interface FuzzBackend {
  /** Names the backend in a missing-output message. */
  readonly name: string;
  run(graph: Graph, feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
  /** Runs `check`; resolves to why it failed (a thrown error, or a backend error it raised), or undefined. */
  guard(check: () => Promise<void>): Promise<string | undefined>;
}

/** The guard of a backend with no error channel of its own: a thrown error's message. */
export async function catchingGuard(check: () => Promise<void>): Promise<string | undefined> {
  try {
    await check();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A graph that failed: its seed and what went wrong (the first differing elements, or the error). */
export interface Failure {
  readonly seeds: readonly number[];
  readonly detail: string;
}

export interface FuzzOptions {
  readonly tolerance?: Tolerance;
  /** Graphs per compiled program (default 25). */
  readonly packSize?: number;
  /** Called after each pack with the number of graphs done. */
  readonly progress?: (done: number, stats: FuzzReport) => void;
}

export interface FuzzReport {
  graphs: number;
  /** Graphs whose gradient graph was compared too. */
  gradientGraphs: number;
  packs: number;
  errors: ErrorStats;
  failures: Failure[];
}

interface PackOutcome {
  readonly stats: ErrorStats;
  readonly gradientGraphs: number;
  /** Per failing seed, what differed; or a pack-wide error (compile or backend error) under seed -1. */
  readonly failed: Map<number, string>;
}

/** Compiles and runs the pack of `seeds` once on the CPU reference and on `backend`, under its guard. */
async function runPack(backend: FuzzBackend, seeds: readonly number[], tolerance: Tolerance): Promise<PackOutcome> {
  const stats = emptyStats();
  const failed = new Map<number, string>();
  let gradientGraphs = 0;
  const check = async () => {
    const pack = buildPack(seeds);
    gradientGraphs = new Set(pack.graph.outputs.filter((o) => o.name.startsWith('grad/')).map((o) => seedOfOutput(o.name))).size;
    const cpu = evaluate(pack.graph, { inputs: pack.feeds }).outputs;
    const got = await backend.run(pack.graph, pack.feeds);
    for (const [name, expected] of Object.entries(cpu)) {
      if (name === PACK_LOSS) continue;
      const output = got[name];
      const problem = output === undefined ? `missing from the ${backend.name} results` : compareOutput(output, expected, tolerance, stats);
      const seed = seedOfOutput(name)!;
      if (problem !== undefined && !failed.has(seed)) failed.set(seed, `output ${name}: ${problem}`);
    }
    if (failed.size > 0) throw new Error('mismatch');
  };
  const problem = await backend.guard(check);
  if (problem !== undefined && failed.size === 0) failed.set(-1, `pack ${seeds[0]}..: ${problem}`);
  return { stats, gradientGraphs, failed };
}

/**
 * Runs graphs `seeds` in packs on `backend` and compares each with the CPU reference. A pack that
 * fails is rerun graph by graph, so every failure names the seed that reproduces it alone.
 */
export async function fuzz(backend: FuzzBackend, seeds: readonly number[], options: FuzzOptions = {}): Promise<FuzzReport> {
  const tolerance = options.tolerance ?? FUZZ_TOLERANCE;
  const packSize = options.packSize ?? 25;
  const report: FuzzReport = { graphs: 0, gradientGraphs: 0, packs: 0, errors: emptyStats(), failures: [] };
  for (let start = 0; start < seeds.length; start += packSize) {
    const packSeeds = seeds.slice(start, start + packSize);
    const outcome = await runPack(backend, packSeeds, tolerance);
    report.packs++;
    report.graphs += packSeeds.length;
    report.gradientGraphs += outcome.gradientGraphs;
    if (outcome.failed.size === 0) {
      mergeStats(report.errors, outcome.stats);
    } else {
      let alone = 0;
      for (const seed of packSeeds) {
        const single = await runPack(backend, [seed], tolerance);
        mergeStats(report.errors, single.stats);
        for (const [, detail] of single.failed) {
          report.failures.push({ seeds: [seed], detail });
          alone++;
        }
      }
      // Every graph passes alone: the failure needs the pack (a compiler bug across graphs).
      if (alone === 0) report.failures.push({ seeds: packSeeds, detail: `only as a pack: ${[...outcome.failed.values()][0]}` });
    }
    options.progress?.(report.graphs, report);
  }
  return report;
}

/** The graph of one seed alone (with its gradient graph, if it has one), as JSON. */
export function graphJSONOf(seed: number): string {
  return graphToJSON(buildPack([seed]).graph);
}

/** Everything needed to reproduce one graph: its seed, the replay command and the graph as JSON. */
export function describeFailure(failure: Failure): string {
  const lines = [`seeds ${failure.seeds.join(', ')}: ${failure.detail}`];
  if (failure.seeds.length === 1) {
    const seed = failure.seeds[0]!;
    lines.push(`replay: pnpm fuzz --replay ${seed}`, `graph: ${graphJSONOf(seed)}`);
  } else {
    lines.push(`replay: pnpm fuzz --seed ${failure.seeds[0]} --graphs ${failure.seeds.length} --pack ${failure.seeds.length}`);
  }
  return lines.join('\n');
}
