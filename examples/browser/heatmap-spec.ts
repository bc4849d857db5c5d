/**
 * A weight matrix [rows, cols] as a Vega-Lite heat map: rows along x (a wide input dimension runs
 * along the page), cols along y, blue negative to red positive on a scale symmetric about 0, with
 * its colour legend right of the data. More rows than MAX_BINS are averaged in equal runs, so an
 * MNIST layer (784 rows) draws ~100 columns of cells, not 784, and stays quick to render as SVG.
 */
import { CONFIG, PANEL, SCHEMA, type PlotSpec } from '@spikeflow/plot';

const MAX_BINS = 100;

export interface HeatmapOptions {
  readonly rows: number;
  readonly cols: number;
  /** Row-major [rows, cols]. */
  readonly values: ArrayLike<number>;
  readonly rowTitle: string;
  readonly colTitle: string;
}

export function heatmapSpec({ rows, cols, values, rowTitle, colTitle }: HeatmapOptions): PlotSpec {
  const run = Math.ceil(rows / MAX_BINS);
  let scale = 0;
  const cells: { r: number; r2: number; c: number; w: number }[] = [];
  for (let r = 0; r < rows; r += run) {
    const end = Math.min(rows, r + run);
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let k = r; k < end; k++) sum += values[k * cols + c]!;
      const w = sum / (end - r);
      scale = Math.max(scale, Math.abs(w));
      cells.push({ r, r2: end, c, w });
    }
  }
  const field = (name: string, title: string | null, domain: number) => ({ field: name, type: 'quantitative', title, scale: { domain: [0, domain], nice: false }, axis: { tickMinStep: 1, format: 'd' } });
  return {
    $schema: SCHEMA,
    config: CONFIG,
    width: PANEL.width,
    height: PANEL.height,
    data: { values: cells },
    transform: [{ calculate: 'datum.c + 1', as: 'c2' }],
    mark: { type: 'rect' },
    encoding: {
      x: field('r', run > 1 ? `${rowTitle} (means of ${run})` : rowTitle, rows),
      x2: { field: 'r2' },
      // Col 0 at the bottom, as the axis counts up.
      y: field('c', colTitle, cols),
      y2: { field: 'c2' },
      color: { field: 'w', type: 'quantitative', title: 'weight', scale: { scheme: 'redblue', reverse: true, domain: [-scale || -1, scale || 1] }, legend: { orient: 'right', title: 'weight' } },
    },
  } as PlotSpec;
}
