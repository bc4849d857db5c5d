import { evaluate, graphToJSON } from '@spikeflow/core';
import { compile } from '../../src/index.js';
import type { Tolerance } from '../parity/close.js';
import { runParitySuite } from '../parity/suite.js';
import { compareOutput, emptyStats, FUZZ_TOLERANCE, mergeStats, type ErrorStats } from './compare.js';
import { buildPack, PACK_LOSS, seedOfOutput } from './pack.js';

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
  /** Per failing seed, what differed; or a pack-wide error (compile or GPU error) under seed -1. */
  readonly failed: Map<number, string>;
}

/** Compiles and runs the pack of `seeds` once on the CPU reference and on `device`, in error scopes. */
async function runPack(device: GPUDevice, seeds: readonly number[], tolerance: Tolerance): Promise<PackOutcome> {
  const stats = emptyStats();
  const failed = new Map<number, string>();
  let gradientGraphs = 0;
  const check = async () => {
    const pack = buildPack(seeds);
    gradientGraphs = new Set(pack.graph.outputs.filter((o) => o.name.startsWith('grad/')).map((o) => seedOfOutput(o.name))).size;
    const cpu = evaluate(pack.graph, { inputs: pack.feeds }).outputs;
    const exe = await compile(pack.graph, device);
    try {
      const gpu = await exe.run(pack.feeds);
      for (const [name, expected] of Object.entries(cpu)) {
        if (name === PACK_LOSS) continue;
        const got = gpu[name];
        const problem = got === undefined ? 'missing from the WebGPU results' : compareOutput(got, expected, tolerance, stats);
        const seed = seedOfOutput(name)!;
        if (problem !== undefined && !failed.has(seed)) failed.set(seed, `output ${name}: ${problem}`);
      }
    } finally {
      exe.destroy();
    }
    if (failed.size > 0) throw new Error('mismatch');
  };
  const result = await runParitySuite(device, undefined, [{ name: `pack ${seeds[0]}..`, run: check }]);
  if (result.failed.length > 0 && failed.size === 0) failed.set(-1, result.failed[0]!);
  return { stats, gradientGraphs, failed };
}

/**
 * Runs graphs `seeds` in packs on `device` and compares each with the CPU reference. A pack that
 * fails is rerun graph by graph, so every failure names the seed that reproduces it alone.
 */
export async function fuzz(device: GPUDevice, seeds: readonly number[], options: FuzzOptions = {}): Promise<FuzzReport> {
  const tolerance = options.tolerance ?? FUZZ_TOLERANCE;
  const packSize = options.packSize ?? 25;
  const report: FuzzReport = { graphs: 0, gradientGraphs: 0, packs: 0, errors: emptyStats(), failures: [] };
  for (let start = 0; start < seeds.length; start += packSize) {
    const packSeeds = seeds.slice(start, start + packSize);
    const outcome = await runPack(device, packSeeds, tolerance);
    report.packs++;
    report.graphs += packSeeds.length;
    report.gradientGraphs += outcome.gradientGraphs;
    if (outcome.failed.size === 0) {
      mergeStats(report.errors, outcome.stats);
    } else {
      let alone = 0;
      for (const seed of packSeeds) {
        const single = await runPack(device, [seed], tolerance);
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
