/**
 * Lines over a numeric x with one dashed reference level (a firing threshold, a random policy's
 * return), as a Vega-Lite spec in the look of the CLI's plots: the reference is a legend entry of
 * its own, and the legend sits right of the data.
 */
import { CONFIG, PANEL, REFERENCE_COLOR, SCHEMA, SERIES_COLORS, type PlotSpec } from '@spikeflow/plot';

export interface Line {
  readonly name: string;
  readonly values: readonly number[];
}

export interface LinesOptions {
  readonly xTitle: string;
  readonly yTitle: string;
  readonly lines: readonly Line[];
  readonly reference: { readonly label: string; readonly value: number };
  /** Draw a point at each value (few values), or only the line (many). */
  readonly points?: boolean;
}

/** x is each value's index; non-finite values are left out. */
export function linesSpec(options: LinesOptions): PlotSpec {
  const { lines, reference } = options;
  const values = lines.flatMap((line) => line.values.flatMap((value, x) => (Number.isFinite(value) ? [{ x, series: line.name, value }] : [])));
  const color = { scale: { domain: [...lines.map((l) => l.name), reference.label], range: [...lines.map((_, k) => SERIES_COLORS[k % SERIES_COLORS.length]), REFERENCE_COLOR] } };
  const y = { field: 'value', type: 'quantitative', title: options.yTitle, scale: { zero: false } };
  const lastX = Math.max(1, ...lines.map((l) => l.values.length - 1));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: PANEL.width,
    height: PANEL.height,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: options.points ?? false, strokeWidth: 2 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: options.xTitle, scale: { domain: [0, lastX] }, axis: { tickMinStep: 1, format: 'd' } },
          y,
          color: { field: 'series', type: 'nominal', ...color },
        },
      },
      { data: { values: [{ value: reference.value }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y, color: { datum: reference.label, ...color } } },
    ],
  } as PlotSpec;
}
