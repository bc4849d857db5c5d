/**
 * @spikeflow/plot: spikeflow's plots as Vega-Lite specs (learning curves, spike rasters, line and
 * bar charts, the shared look) and their SVG rendering. Runtime-neutral: Node, Deno and browsers.
 * Writing PNG files needs Node: '@spikeflow/plot/node'.
 */
export { barChartSpec, lineChartSpec, type ChartOptions, type Series } from './charts.js';
export { curvesSpec, type ChanceLevel, type CurvePoint } from './curves.js';
export { rasterSpec, type LayerSpikes } from './raster.js';
export { plotSvg, type PlotSpec } from './render.js';
export { CONFIG, PANEL, REFERENCE_COLOR, SCHEMA, SERIES_COLORS } from './style.js';
