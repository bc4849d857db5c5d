import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { BackendKind } from '@spikeflow/webgpu';
import type { ResultRow } from './experiment.js';
import { BACKEND_LABELS, backendKindOf } from './row-backend.js';

/** The rows of an earlier run, or none. */
export function readRows(file: string): ResultRow[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ResultRow[]) : [];
}

/**
 * The rows of a results file after one experiment's run at one seed on one backend: that run's rows
 * replace the experiment's earlier rows at the same seed on the same backend (the kind its rows'
 * devices name, `backendKindOf`) and nothing else, so several seeds, and the backends one seed ran
 * on, sit side by side. A run of some variants only (`of.models`, the model names it trained)
 * replaces only their rows. Rows are ordered by experiment (in `experimentOrder`), then seed, then
 * model (in the order models first appear), each model's rows in the order they were written.
 */
export function mergeRows(
  previous: readonly ResultRow[],
  run: readonly ResultRow[],
  of: { experiment: string; seed: number; models?: readonly string[] },
  experimentOrder: readonly string[],
): ResultRow[] {
  const kinds = new Set(run.map(backendKindOf));
  const ranOn = new Map<string, Set<string>>();
  for (const r of run) ranOn.set(r.model, (ranOn.get(r.model) ?? new Set()).add(backendKindOf(r)));
  // A previous row gives way on a backend this run used, unless this run trained its model on other
  // backends only (a model that ran on WebGPU does not erase its CPU row); a model the run no
  // longer has at all is dropped.
  const replaced = (r: ResultRow) =>
    r.experiment === of.experiment &&
    r.seed === of.seed &&
    kinds.has(backendKindOf(r)) &&
    (of.models === undefined || of.models.includes(r.model)) &&
    (ranOn.get(r.model)?.has(backendKindOf(r)) ?? true);
  const rows = [...previous.filter((r) => !replaced(r)), ...run];
  const modelKey = (r: ResultRow) => `${r.experiment}\u0000${r.model}`;
  const firstOfModel = new Map<string, number>();
  rows.forEach((r, i) => {
    if (!firstOfModel.has(modelKey(r))) firstOfModel.set(modelKey(r), i);
  });
  const order = (r: ResultRow) => experimentOrder.indexOf(r.experiment);
  return rows.sort((a, b) => order(a) - order(b) || a.seed - b.seed || firstOfModel.get(modelKey(a))! - firstOfModel.get(modelKey(b))!);
}

/** Written to a temporary name and renamed, so a run stopped mid-write never leaves half a file. */
export function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.${process.pid}.partial`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}

/** Small nonzero values (errors near machine precision) in exponent form, so they do not print as 0.0000. */
export const format = (value: number): string => (value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential(2) : Math.abs(value) < 1 ? value.toFixed(4) : value.toFixed(2));

function sizesText(sizes: ResultRow['sizes']): string {
  return Object.entries(sizes)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

/** `rows` grouped by `key`, groups in the order their first rows appear. */
function groupBy(rows: readonly ResultRow[], key: (r: ResultRow) => string): ResultRow[][] {
  const groups = new Map<string, ResultRow[]>();
  for (const r of rows) {
    const k = key(r);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [r]);
    else group.push(r);
  }
  return [...groups.values()];
}

/**
 * One line per model and metric trained at several seeds on one backend: the spread a single seed
 * hides, and at how many seeds the model met its target. The backend is named once a table has
 * rows of several.
 */
function acrossSeedsLines(rows: readonly ResultRow[], severalBackends: boolean): string[] {
  return groupBy(rows, (r) => `${r.model}\u0000${r.metric}\u0000${backendKindOf(r)}`).flatMap((own) => {
    if (new Set(own.map((r) => r.seed)).size < 2) return [];
    const values = own.map((r) => r.value);
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
    const targeted = own.filter((r) => r.met !== undefined);
    const met = targeted.length === 0 ? '' : `; ${own[0]!.target} met at ${targeted.filter((r) => r.met).length} of ${targeted.length} seeds`;
    const on = severalBackends ? ` on ${BACKEND_LABELS[backendKindOf(own[0]!)]}` : '';
    return [`- ${own[0]!.model}${on}, ${own[0]!.metric} over seeds ${own.map((r) => r.seed).join(', ')}: mean ${format(mean)}, sample sd ${format(sd)}, min ${format(Math.min(...values))}, max ${format(Math.max(...values))}${met}`];
  });
}

/** The backend the others are compared against: WebGPU where the model ran on it, else the CPU interpreter. */
const REFERENCE_ORDER: readonly BackendKind[] = ['webgpu', 'cpu', 'wasm'];

/** Accuracies and error rates are fractions of the examples: their differences are given in percentage points. */
const isFraction = (metric: string): boolean => /accuracy|error/i.test(metric);

function differenceText(difference: number, metric: string): string {
  const sign = difference > 0 ? '+' : '';
  return isFraction(metric) ? `${sign}${(100 * difference).toFixed(2)} points` : `${sign}${format(difference)}`;
}

/**
 * One line per model, metric and seed run on several backends: each backend's value and wall time
 * against the reference backend's, and the difference (other minus reference).
 */
function acrossBackendsLines(rows: readonly ResultRow[]): string[] {
  return groupBy(rows, (r) => `${r.model}\u0000${r.metric}\u0000${r.seed}`).flatMap((own) => {
    const byKind = new Map<BackendKind, ResultRow>();
    for (const r of own) if (!byKind.has(backendKindOf(r))) byKind.set(backendKindOf(r), r);
    if (byKind.size < 2) return [];
    const referenceKind = REFERENCE_ORDER.find((k) => byKind.has(k))!;
    const reference = byKind.get(referenceKind)!;
    const text = (kind: BackendKind, r: ResultRow) => `${BACKEND_LABELS[kind]} ${format(r.value)} (${r.wall_s.toFixed(0)} s)`;
    return [...REFERENCE_ORDER]
      .reverse()
      .filter((k) => k !== referenceKind && byKind.has(k))
      .map((k) => {
        const other = byKind.get(k)!;
        return `- ${reference.model}, ${reference.metric}, seed ${reference.seed}: ${text(k, other)} vs ${text(referenceKind, reference)}, difference ${differenceText(other.value - reference.value, reference.metric)}`;
      });
  });
}

/** RESULTS.md: one table per experiment, in the order given, each row with what reproduces it. */
export function resultsMarkdown(rows: readonly ResultRow[], titles: ReadonlyMap<string, string>): string {
  const lines = [
    '# Reproduced results',
    '',
    'Generated by `pnpm reproduce` from `examples/reproduce/results/latest.json`; every number is on held-out data.',
    'Each row gives the command that reproduces it, its seed, the device it ran on and its wall time; rows of one model on several backends sit side by side.',
    '',
  ];
  for (const [id, title] of titles) {
    const own = rows.filter((r) => r.experiment === id);
    if (own.length === 0) continue;
    lines.push(`## ${id}`, '', title, '', '| model | metric | value | target | met | seed | wall | device |', '|---|---|---|---|---|---|---|---|');
    for (const r of own) {
      const met = r.met === undefined ? '' : r.met ? 'yes' : '**no**';
      lines.push(`| ${r.model} | ${r.metric} | ${format(r.value)} | ${r.target ?? ''} | ${met} | ${r.seed} | ${r.wall_s.toFixed(0)} s | ${r.device} |`);
    }
    const severalBackends = new Set(own.map(backendKindOf)).size > 1;
    const spread = acrossSeedsLines(own, severalBackends);
    if (spread.length > 0) lines.push('', 'Across seeds:', '', ...spread);
    const backends = acrossBackendsLines(own);
    if (backends.length > 0) lines.push('', 'Across backends:', '', ...backends);
    lines.push('', 'Sizes and budget:', '');
    const severalSeeds = new Set(own.map((r) => r.seed)).size > 1;
    for (const r of own) {
      const which = [...(severalSeeds ? [`seed ${r.seed}`] : []), ...(severalBackends ? [BACKEND_LABELS[backendKindOf(r)]] : [])];
      lines.push(`- ${r.model}${which.length > 0 ? ` (${which.join(', ')})` : ''}: ${sizesText(r.sizes)}`);
    }
    const commands = [...new Set(own.map((r) => r.command).filter((c) => c !== undefined))];
    const revisions = [...new Set(own.map((r) => r.revision ?? 'not recorded'))];
    lines.push('', `Command: ${commands.map((c) => `\`${c}\``).join(', ')}; code revision: ${revisions.join(', ')}`, '');
  }
  return lines.join('\n');
}
