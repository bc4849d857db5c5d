/**
 * Two general charts as Vega-Lite specs, for reports: grouped bars (one group per category, one
 * bar per series) and lines over a numeric x. Axes can be logarithmic, since benchmark times and
 * error rates span orders of magnitude; a value a log axis cannot show (≤ 0) or a missing one (null)
 * is left out. Runtime-neutral.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CONFIG, PANEL, SERIES_COLORS } from './style.js';

export interface Series {
  readonly name: string;
  /** One value per category (bars) or per x (lines); null where there is none. */
  readonly values: readonly (number | null)[];
}

export interface ChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly logY?: boolean;
  readonly series: readonly Series[];
}

const shown = (v: number | null | undefined, log: boolean): v is number => typeof v === 'number' && Number.isFinite(v) && (!log || v > 0);

const scale = (log: boolean) => (log ? { type: 'log' } : { zero: true });

/** The series in a fixed order and colour, the legend outside the data. */
const color = (series: readonly Series[]) => ({
  field: 'series',
  type: 'nominal',
  scale: { domain: series.map((s) => s.name), range: series.map((_, k) => SERIES_COLORS[k % SERIES_COLORS.length]) },
});

export function barChartSpec(options: ChartOptions & { readonly categories: readonly string[] }): TopLevelSpec {
  const log = options.logY ?? false;
  const values = options.series.flatMap((s) => options.categories.flatMap((category, c) => (shown(s.values[c], log) ? [{ category, series: s.name, value: s.values[c] }] : [])));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    config: CONFIG,
    width: PANEL.width,
    height: PANEL.height * 1.5,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'category', type: 'nominal', title: null, sort: [...options.categories], axis: { labelAngle: 0 } },
      xOffset: { field: 'series', sort: options.series.map((s) => s.name) },
      y: { field: 'value', type: 'quantitative', title: options.yLabel, scale: scale(log) },
      // A log axis has no zero: the bars stand on the power of ten below the smallest value.
      ...(log && values.length > 0 ? { y2: { datum: 10 ** Math.floor(Math.log10(Math.min(...values.map((v) => v.value!)))) } } : {}),
      color: color(options.series),
    },
  } as TopLevelSpec;
}

export function lineChartSpec(options: ChartOptions & { readonly x: readonly number[]; readonly xLabel: string; readonly logX?: boolean }): TopLevelSpec {
  const [logX, logY] = [options.logX ?? false, options.logY ?? false];
  const values = options.series.flatMap((s) => options.x.flatMap((x, i) => (shown(x, logX) && shown(s.values[i], logY) ? [{ x, series: s.name, value: s.values[i] }] : [])));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: options.title,
    config: CONFIG,
    width: PANEL.width,
    height: PANEL.height * 1.5,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2, tooltip: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel, scale: logX ? { type: 'log', nice: false } : { zero: false } },
      y: { field: 'value', type: 'quantitative', title: options.yLabel, scale: scale(logY) },
      color: color(options.series),
    },
  } as TopLevelSpec;
}
