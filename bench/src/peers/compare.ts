import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchContext } from '../context.js';
import { kernelRows } from '../gpu/kernel-profile.js';
import { row, type Field, type Row, type Sizes } from '../harness/row.js';
import type { Timing } from '../harness/timing.js';
import { interleavedRounds, mergeRounds } from './interleave.js';
import { planImpls, type ImplPlan } from './peer-set.js';
import type { WorkerResult, WorkloadId } from './protocol.js';
import { runWorker } from './spawn.js';

/** One workload compared across every implementation, each in processes of its own. */
export interface Comparison {
  readonly workload: WorkloadId;
  /** The rows' workload name, e.g. `W1 LIF-MLP BPTT step`. */
  readonly title: string;
  /** The sizes timed, in order; the agreement check runs in the first size's first round. */
  readonly sizes: readonly Sizes[];
  writeFixture(dir: string, sizes: Sizes): void;
  writeCheckFixture(dir: string): void;
  /**
   * Compares one implementation's check answer (and the arrays it wrote into `out`) with
   * spikeflow's, the first to answer; throws a DisagreementError when they differ. Returns the check row.
   */
  verify(result: WorkerResult, out: string): Row;
  /** Extra fields of a timing row. */
  fields(sizes: Sizes, timing: Timing): Readonly<Record<string, Field>>;
}

/**
 * Only the first process's first call is reported, so the later rounds may use Mesa's on-disk
 * shader cache (a full run turns it off) instead of compiling every shader again in each process.
 */
const laterRoundEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'MESA_SHADER_CACHE_DISABLE'));

const sizeText = (sizes: Sizes) => Object.entries(sizes).map(([k, v]) => `${k} = ${v}`).join(', ');

/**
 * Runs the comparison: for each size, every implementation in its own process, in interleaved
 * rounds (A, B, C, A, B, C); the first size's first round also runs the agreement check, which
 * aborts the benchmark on a disagreement. Missing or failing peers are skipped with one line and a
 * `skipped` row. Each timing row is the median over all rounds' samples, with the median load.
 */
export async function comparePeers(ctx: BenchContext, spec: Comparison): Promise<Row[]> {
  const { rounds, timing } = ctx.config.peers;
  const rows: Row[] = [];
  const plan = planImpls(spec.workload, await ctx.peers());
  const only = ctx.config.peers.impls;
  if (only !== undefined) {
    const left = plan.run.filter((p) => !only.includes(p.impl)).map((p) => p.impl);
    if (left.length > 0) ctx.log(`  not run in this mode: ${left.join(', ')}`);
    plan.run = plan.run.filter((p) => only.includes(p.impl));
    plan.missing = plan.missing.filter((m) => only.includes(m.impl));
  }
  const skip = (impl: string, reason: string) => {
    ctx.log(`  ${impl}: skipped (${reason})`);
    rows.push(row(`${spec.title} skipped`, impl, '', {}, undefined, { reason }));
  };
  plan.missing.forEach(({ impl, reason }) => skip(impl, reason));
  let impls: ImplPlan[] = plan.run;
  const dir = mkdtempSync(path.join(tmpdir(), 'spikeflow-bench-'));
  try {
    const checkFixture = path.join(dir, 'check');
    spec.writeCheckFixture(checkFixture);
    for (const [index, sizes] of spec.sizes.entries()) {
      const fixture = path.join(dir, `fixture-${index}`);
      spec.writeFixture(fixture, sizes);
      const launchers = new Map(impls.map((p) => [p.impl, p.launcher]));
      const { results, dropped } = await interleavedRounds(
        impls.map((p) => p.impl),
        rounds,
        async (impl, round) => {
          const withCheck = index === 0 && round === 0;
          const out = path.join(dir, `check-${impl}`);
          const profile = ctx.config.profile && impl === 'spikeflow' && round === rounds - 1;
          const request = { workload: spec.workload, impl, fixture, check: withCheck ? { fixture: checkFixture, out } : undefined, timing, profile, wasmThreads: ctx.config.peers.wasmThreads };
          const result = await runWorker(launchers.get(impl)!, request, round === 0 ? process.env : laterRoundEnv());
          const ms = [...result.samples].sort((a, b) => a - b);
          ctx.log(`  round ${round + 1}/${rounds} ${impl} ${sizeText(sizes)}: median ${ms[ms.length >> 1]!.toFixed(1)} ms of ${ms.length} (first ${result.first_ms.toFixed(0)} ms, load ${result.load_1min.toFixed(1)})`);
          if (withCheck) rows.push(spec.verify(result, out));
          return result;
        },
      );
      dropped.forEach((reason, impl) => skip(impl, reason));
      impls = impls.filter((p) => !dropped.has(p.impl));
      for (const [impl, processes] of results) {
        const merged = mergeRounds(processes);
        const { load_1min, processes: count, ...timed } = merged;
        rows.push(row(spec.title, impl, processes[0]!.device, sizes, timed, { ...spec.fields(sizes, timed), load_1min, processes: count }));
        const kernels = processes[processes.length - 1]!.kernels;
        if (kernels) rows.push(...kernelRows(spec.title, processes[0]!.device, sizes, kernels));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
