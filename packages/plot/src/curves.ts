/**
 * The learning curves of a run as a Vega-Lite spec: a loss panel (train and held-out loss) above an
 * accuracy panel (held-out accuracy on 0..1), sharing the epoch scale, with the task's chance level
 * as a dashed line in the panel of its metric and one legend to the right of the data.
 * Runtime-neutral: the CLI renders it to files, a page can render it in place.
 */
import type { PlotSpec } from './render.js';
import { CONFIG, PANEL, REFERENCE_COLOR, SCHEMA, SERIES_COLORS } from './style.js';

export interface CurvePoint {
  readonly epoch: number;
  readonly loss: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
}

/** What a guess scores: an accuracy (drawn in the accuracy panel) or a loss (in the loss panel). */
export interface ChanceLevel {
  readonly metric: 'accuracy' | 'loss';
  readonly value: number;
}

type Panel = 'loss' | 'accuracy';

const SERIES = [
  { key: 'loss', label: 'train loss', panel: 'loss' },
  { key: 'testLoss', label: 'held-out loss', panel: 'loss' },
  { key: 'testAccuracy', label: 'held-out accuracy', panel: 'accuracy' },
] as const;

const Y_AXES: Record<Panel, object> = {
  loss: { title: 'loss', scale: { zero: true } },
  accuracy: { title: 'accuracy', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
};

/** `xTitle` names the x axis: epochs for the CLI's runs, training steps on the browser page. */
export function curvesSpec(points: readonly CurvePoint[], title: string, chance?: ChanceLevel, xTitle = 'epoch'): PlotSpec {
  const chanceLabel = chance === undefined || !Number.isFinite(chance.value) ? undefined : `chance (${Number(chance.value.toPrecision(3))})`;
  // The same colour scale in every layer, so the one legend lists every line in a fixed order.
  const color = {
    scale: { domain: [...SERIES.map((s) => s.label), ...(chanceLabel === undefined ? [] : [chanceLabel])], range: [...SERIES_COLORS.slice(0, SERIES.length), REFERENCE_COLOR] },
  };
  const lastEpoch = Math.max(1, ...points.map((p) => p.epoch));
  const x = { field: 'epoch', type: 'quantitative', title: xTitle, scale: { domain: [0, lastEpoch] }, axis: { tickMinStep: 1, format: 'd' } };
  const panel = (name: Panel) => {
    const values = SERIES.filter((s) => s.panel === name).flatMap((s) =>
      points.filter((p) => Number.isFinite(p[s.key])).map((p) => ({ epoch: p.epoch, series: s.label, value: p[s.key]! })),
    );
    const y = { field: 'value', type: 'quantitative', ...Y_AXES[name] };
    const rule =
      chanceLabel !== undefined && chance!.metric === name
        ? [{ data: { values: [{ value: chance!.value }] }, mark: { type: 'rule', strokeDash: [4, 4] }, encoding: { y, color: { datum: chanceLabel, ...color } } }]
        : [];
    return {
      width: PANEL.width,
      height: PANEL.height,
      layer: [{ data: { values }, mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x, y, color: { field: 'series', type: 'nominal', ...color } } }, ...rule],
    };
  };
  return { $schema: SCHEMA, title, config: CONFIG, vconcat: [panel('loss'), panel('accuracy')], resolve: { scale: { color: 'shared' } } } as PlotSpec;
}
