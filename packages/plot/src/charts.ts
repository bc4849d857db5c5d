/**
 * Two general charts as Vega-Lite specs, for reports: grouped bars (one group per category, one
 * bar per series) and lines over a numeric x. Axes can be logarithmic, since benchmark times and
 * error rates span orders of magnitude; a value a log axis cannot show (≤ 0) or a missing one (null)
 * is left out. Runtime-neutral.
 */
import type { PlotSpec } from './render.js';
import { CONFIG, PANEL, SCHEMA, SERIES_COLORS } from './style.js';

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

/** Pixels per bar when there are many, and how many category labels still fit level. */
const BAR_WIDTH = 12;
const MAX_LEVEL_LABELS = 6;

const shown = (v: number | null | undefined, log: boolean): v is number => typeof v === 'number' && Number.isFinite(v) && (!log || v > 0);

const scale = (log: boolean) => (log ? { type: 'log' } : { zero: true });

/** The series in a fixed order and colour, the legend outside the data. */
const color = (series: readonly Series[]) => ({
  field: 'series',
  type: 'nominal',
  scale: { domain: series.map((s) => s.name), range: series.map((_, k) => SERIES_COLORS[k % SERIES_COLORS.length]) },
});

export function barChartSpec(options: ChartOptions & { readonly categories: readonly string[] }): PlotSpec {
  const log = options.logY ?? false;
  const values = options.series.flatMap((s) => options.categories.flatMap((category, c) => (shown(s.values[c], log) ? [{ category, series: s.name, value: s.values[c] }] : [])));
  return {
    $schema: SCHEMA,
    title: options.title,
    config: CONFIG,
    // Wide enough for every bar; many categories get slanted labels.
    width: Math.max(PANEL.width, BAR_WIDTH * options.categories.length * options.series.length),
    height: PANEL.height * 1.5,
    data: { values },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'category', type: 'nominal', title: null, sort: [...options.categories], axis: { labelAngle: options.categories.length > MAX_LEVEL_LABELS ? -40 : 0, labelLimit: 240 } },
      xOffset: { field: 'series', sort: options.series.map((s) => s.name) },
      y: { field: 'value', type: 'quantitative', title: options.yLabel, scale: scale(log) },
      // A log axis has no zero: the bars stand on the power of ten below the smallest value.
      ...(log && values.length > 0 ? { y2: { datum: 10 ** Math.floor(Math.log10(Math.min(...values.map((v) => v.value!)))) } } : {}),
      color: color(options.series),
    },
  } as PlotSpec;
}

export function lineChartSpec(options: ChartOptions & { readonly x: readonly number[]; readonly xLabel: string; readonly logX?: boolean }): PlotSpec {
  const [logX, logY] = [options.logX ?? false, options.logY ?? false];
  const values = options.series.flatMap((s) => options.x.flatMap((x, i) => (shown(x, logX) && shown(s.values[i], logY) ? [{ x, series: s.name, value: s.values[i] }] : [])));
  return {
    $schema: SCHEMA,
    title: options.title,
    config: CONFIG,
    width: PANEL.width,
    height: PANEL.height * 1.5,
    data: { values },
    mark: { type: 'line', point: true, strokeWidth: 2, tooltip: true },
    encoding: {
      // A log x axis is ticked at the data's x values (few, and what the runs were made at); labels that would overlap are dropped.
      x: { field: 'x', type: 'quantitative', title: options.xLabel, ...(logX ? { scale: { type: 'log', nice: false }, axis: { values: [...new Set(values.map((v) => v.x))] } } : { scale: { zero: false } }) },
      // A log y axis spans the data only: a small gap (4% against 5% error) stays visible.
      y: { field: 'value', type: 'quantitative', title: options.yLabel, scale: logY ? { type: 'log', nice: false } : scale(false) },
      color: color(options.series),
    },
  } as PlotSpec;
}
