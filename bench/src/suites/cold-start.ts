import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Suite } from '../context.js';
import { row, type Row } from '../harness/row.js';
import { median, timingOf } from '../harness/timing.js';
import { parseColdStartResult, type ColdStartResult } from '../peers/cold-start-protocol.js';
import { interleavedRounds } from '../peers/interleave.js';
import { runProcess, tsxLauncher } from '../peers/spawn.js';
import { writeLifMlpFixture } from '../peers/workload-files.js';
import { lifMlpFixture } from '../workloads/lif-mlp.js';
import { LIF_MLP_WORKLOAD } from './lif-mlp.js';

export const COLD_START_WORKLOAD = 'W1 cold start';
export const COLD_START_PHASES = 'W1 cold start phases';
export const COLD_START_KERNELS = 'W1 cold start kernels';
const SEED = 7;
/** First-step losses of the implementations are the same float computation on the same fixture. */
const LOSS_TOLERANCE = 1e-4;

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'cold-start-worker.ts');

/** The WebGPU implementations compared, in the order each round runs them. */
export const COLD_START_IMPLS = ['spikeflow', 'tfjs-webgpu', 'jax-js-webgpu'] as const;

/** Every process compiles every shader: Mesa's on-disk cache is off in each, quick mode included. */
const coldEnv = (): NodeJS.ProcessEnv => ({ ...process.env, MESA_SHADER_CACHE_DISABLE: 'true' });

/**
 * W1 at T = 32, B = 64 from a fresh process to the first finished training step (forward,
 * backward, SGD update, loss read back), each WebGPU implementation in interleaved rounds with
 * Mesa's shader cache off: rows of the total, of each phase, and spikeflow's unique pipelines.
 */
export const coldStartSuite: Suite = {
  id: 'cold-start',
  title: COLD_START_WORKLOAD,
  async run(ctx) {
    const { T, B, rounds } = ctx.config.coldStart;
    const peers = await ctx.peers(); // also builds the tfjs bundle, so no process pays for it
    const rows: Row[] = [];
    const impls = COLD_START_IMPLS.filter((impl) => {
      if (impl !== 'jax-js-webgpu' || !('missing' in peers.jax)) return true;
      rows.push(row(`${COLD_START_WORKLOAD} skipped`, impl, '', {}, undefined, { reason: peers.jax.missing }));
      return false;
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'spikeflow-cold-start-'));
    try {
      const fixture = path.join(dir, 'fixture');
      writeLifMlpFixture(fixture, lifMlpFixture(T, B, SEED));
      const launcher = tsxLauncher(WORKER);
      const { results, dropped } = await interleavedRounds([...impls], rounds, async (impl, round) => {
        const request = { impl, fixture, spawned_at_ms: performance.timeOrigin + performance.now() };
        const result = await runProcess(launcher, impl, [JSON.stringify(request)], coldEnv(), (stdout) => parseColdStartResult(stdout, impl));
        const phases = result.phases.map((p) => `${p.name} ${(p.ms / 1e3).toFixed(2)}`).join(', ');
        ctx.log(`  round ${round + 1}/${rounds} ${impl}: ${(result.total_ms / 1e3).toFixed(2)} s (${phases}; load ${result.load_1min.toFixed(1)})`);
        return result;
      });
      dropped.forEach((reason, impl) => {
        ctx.log(`  ${impl}: skipped (${reason})`);
        rows.push(row(`${COLD_START_WORKLOAD} skipped`, impl, '', {}, undefined, { reason }));
      });
      const reference = results.get('spikeflow')?.[0]?.loss;
      for (const [impl, processes] of results) {
        for (const p of processes) {
          if (reference !== undefined && Math.abs(p.loss - reference) > LOSS_TOLERANCE * Math.max(1, Math.abs(reference))) {
            throw new Error(`${COLD_START_WORKLOAD}: ${impl}'s first-step loss ${p.loss} differs from spikeflow's ${reference}`);
          }
        }
        rows.push(...implRows(impl, processes, { T, B }));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};

/** One implementation's rows: the total over its processes, the median of each phase, and (spikeflow) its pipelines. */
function implRows(impl: string, processes: readonly ColdStartResult[], sizes: { T: number; B: number }): Row[] {
  const device = processes[0]!.device;
  const load = median(processes.map((p) => p.load_1min));
  const totals = processes.map((p) => p.total_ms);
  const { first_run_ms: _, ...total } = timingOf(totals, totals[0]!);
  const rows = [row(COLD_START_WORKLOAD, impl, device, sizes, undefined, { ...total, load_1min: load, loss: processes[0]!.loss, of: `${LIF_MLP_WORKLOAD}, first step` })];
  for (const [index, { name }] of processes[0]!.phases.entries()) {
    const ms = processes.map((p) => p.phases[index]?.ms ?? Number.NaN);
    rows.push(row(COLD_START_PHASES, impl, device, sizes, undefined, { phase: name, index, ms_median: median(ms), ms_min: Math.min(...ms), ms_max: Math.max(...ms), reps: ms.length, load_1min: load }));
  }
  for (const [index, { label }] of processes[0]!.kernels.entries()) {
    const ms = processes.map((p) => p.kernels.find((k) => k.label === label)?.ms ?? Number.NaN);
    rows.push(row(COLD_START_KERNELS, impl, device, sizes, undefined, { kernel: label, index, ms_median: median(ms), reps: ms.length, load_1min: load }));
  }
  return rows;
}
