import type { Row } from '../harness/row.js';
import { COLD_START_KERNELS, COLD_START_PHASES, COLD_START_WORKLOAD } from '../suites/cold-start.js';
import { table } from './format.js';

/** Kernels listed in the cold-start section: the ones whose compiles take the time. */
const TOP_KERNELS = 8;

const seconds = (ms: unknown) => (typeof ms === 'number' && Number.isFinite(ms) ? (ms / 1e3).toFixed(2) : '–');

/** The cold-start section: totals per implementation, each one's phases, and spikeflow's slowest pipelines. */
export function coldStartSection(rows: readonly Row[]): string[] {
  const totals = rows.filter((r) => r.workload === COLD_START_WORKLOAD);
  if (totals.length === 0) return [];
  const phases = rows.filter((r) => r.workload === COLD_START_PHASES);
  const kernels = rows.filter((r) => r.workload === COLD_START_KERNELS && r.impl === 'spikeflow');
  const reference = totals.find((r) => r.impl === 'tfjs-webgpu');
  const phaseText = (impl: string) =>
    phases
      .filter((p) => p.impl === impl)
      .map((p) => `${String(p.phase)} ${seconds(p.ms_median)}`)
      .join(', ');
  const sections = [
    `## ${COLD_START_WORKLOAD}`,
    `W1 at T = ${totals[0]!.T}, B = ${totals[0]!.B}: a fresh process per implementation (Node and tsx started, modules imported, device acquired, the training step set up) to the first finished training step (forward, backward, SGD update, loss read back), Mesa's shader disk cache off in every process so each compiles every shader. The implementations run in interleaved rounds (A, B, C, A, B, C); seconds: median (min–max) over the rounds; load: the median 1-minute load average of the processes. Phases: medians, in order (tfjs and jax-js compile their shaders inside their first step).`,
    table(
      ['implementation', 'seconds to the first step', 'vs tfjs-webgpu', 'processes', 'load', 'phases (s)'],
      totals.map((r) => [
        r.impl,
        `${seconds(r.ms_median)} (${seconds(r.ms_min)}–${seconds(r.ms_max)})`,
        reference?.ms_median ? `${(Number(r.ms_median) / Number(reference.ms_median)).toFixed(2)}×` : '–',
        String(r.reps),
        Number(r.load_1min).toFixed(1),
        phaseText(r.impl),
      ]),
    ),
  ];
  if (kernels.length > 0) {
    const total = kernels.reduce((sum, k) => sum + Number(k.ms_median), 0);
    const top = [...kernels].sort((a, b) => Number(b.ms_median) - Number(a.ms_median)).slice(0, TOP_KERNELS);
    sections.push(
      `spikeflow's ${kernels.length} unique pipelines take ${seconds(total)} s to become ready (compiled at their warm-up dispatch, one after another on lavapipe's queue thread); the slowest ${top.length}, medians:`,
      table(
        ['kernel', 'seconds', 'share'],
        top.map((k) => [`\`${String(k.kernel)}\``, seconds(k.ms_median), `${((100 * Number(k.ms_median)) / total).toFixed(0)}%`]),
      ),
    );
  }
  return sections;
}
