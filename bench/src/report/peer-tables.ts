import type { Row } from '../harness/row.js';
import { distinct, num, sci, table, timed } from './format.js';

/**
 * The tables of a workload timed against the peers (W1, W2): the agreement check, what each
 * implementation ran on and what was not run, and one line per size and implementation.
 */

/** spikeflow's own rows: its implementations are named spikeflow or spikeflow-<variant>. */
export const isSpikeflow = (impl: string) => impl === 'spikeflow' || impl.startsWith('spikeflow-');

const sizeKey = (r: Row) => `${r.T ?? ''}/${r.B ?? ''}/${r.N ?? ''}`;

/** How many times faster `ours` is than `theirs` (their ms over ours), as a cell. */
export function speedup(ours: Row | undefined, theirs: Row | undefined): string {
  const a = ours?.ms_median;
  const b = theirs?.ms_median;
  return typeof a === 'number' && typeof b === 'number' && a > 0 ? `${(b / a).toFixed(2)}×` : '–';
}

export function checkTable(rows: readonly Row[], errors: readonly string[]): string[] {
  if (rows.length === 0) return [];
  const first = rows[0]!;
  const size = [`T = ${first.T}`, first.B ? `B = ${first.B}` : '', first.N ? `N = ${first.N}` : ''].filter(Boolean).join(', ');
  return [
    `Agreement with spikeflow before any timing counts (${size}, a fixture on a 1/64 grid so every implementation computes the same spikes bit for bit; errors are max |difference| / max |spikeflow|, tolerance 1e-4). The cold first call includes every shader compilation.`,
    table(['impl', 'runs on', 'loss', ...errors, 'cold first call (ms)'], rows.map((r) => [r.impl, r.device, num(r.loss, 6), ...errors.map((e) => sci(r[`err_${e}`])), num(r.first_call_ms, 0)])),
  ];
}

/**
 * How the rows were timed: rows from before the peers ran in processes of their own carry no
 * process count, and were timed one implementation after another in the harness's process.
 */
export function howTimed(rows: readonly Row[]): string {
  return rows.some((r) => typeof r.processes === 'number')
    ? "Each implementation runs in processes of its own, in interleaved rounds (every implementation once per round, in the same order); ms: median (min–max) over every round's timed steps; the first call of the first process is listed apart; load: the median 1-minute load average of its processes."
    : 'These rows were timed in one process, one implementation after another; ms: median (min–max); load: the 1-minute load average when the row was taken.';
}

/** One line naming each peer that was not run, and why. */
export function skippedLine(rows: readonly Row[]): string[] {
  if (rows.length === 0) return [];
  return [`Not run here: ${rows.map((r) => `${r.impl} (${String(r.reason)})`).join('; ')}.`];
}

/**
 * One line per size and implementation: ms per step, how many times faster each spikeflow
 * variant is, the first call, the processes (rounds) it ran in and their median load average.
 */
export function timingTable(rows: readonly Row[], sizeColumns: readonly ('T' | 'B' | 'N')[], extra: { header: string; cell: (r: Row) => string }[] = []): string {
  const ours = distinct(rows.map((r) => r.impl).filter(isSpikeflow));
  const body = distinct(rows.map(sizeKey)).flatMap((key) => {
    const list = rows.filter((r) => sizeKey(r) === key);
    return list.map((r) => [
      ...sizeColumns.map((c) => String(r[c])),
      r.impl,
      timed(r),
      ...extra.map((e) => e.cell(r)),
      ...ours.map((o) => (o === r.impl ? '1×' : speedup(list.find((x) => x.impl === o), r))),
      num(r.first_run_ms, 0),
      typeof r.processes === 'number' ? String(r.processes) : '–',
      num(r.load_1min, 1),
    ]);
  });
  return table([...sizeColumns, 'impl', 'ms: median (min–max)', ...extra.map((e) => e.header), ...ours.map((o) => `${o} is faster by`), 'first call (ms)', 'processes', 'load (1 min)'], body);
}
