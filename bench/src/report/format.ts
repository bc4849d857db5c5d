import type { Field, Row } from '../harness/row.js';

/** Cell formats and the markdown table shared by the report's sections. */

export const num = (v: Field | undefined, digits = 1) => (typeof v === 'number' && Number.isFinite(v) ? (Math.abs(v) < 10 && digits < 2 ? v.toFixed(digits + 1) : v.toFixed(digits)) : '–');
export const mib = (v: Field | undefined) => (typeof v === 'number' ? `${(v / 2 ** 20).toFixed(1)} MiB` : '–');
export const sci = (v: Field | undefined) => (typeof v === 'number' ? v.toExponential(1) : '–');
export const timed = (r: Row | undefined) => (r === undefined || r.ms_median === null ? '–' : `${num(r.ms_median)} (${num(r.ms_min)}–${num(r.ms_max)})`);

export function table(headers: readonly string[], body: readonly (readonly string[])[]): string {
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...body.map((cells) => `| ${cells.join(' | ')} |`)].join('\n');
}

export const distinct = <T>(values: readonly T[]) => [...new Set(values)];
