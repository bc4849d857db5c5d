// The look every plot shares: panel size, series colours, legend placement.

/** The Vega-Lite version the specs are written for (vega-lite 6). */
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** One panel's data area, in SVG units (the PNG has twice as many pixels). */
export const PANEL = { width: 480, height: 180 } as const;

/** Tableau 10 (Vega's default categorical palette), fixed here so a series keeps its colour across plots. */
export const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'] as const;

/** Light enough to read as a reference, not as data. */
export const REFERENCE_COLOR = '#888888';

/** Vega-Lite config for every plot: white background (a PNG has no page behind it), legend outside the data. */
export const CONFIG = {
  background: 'white',
  font: 'sans-serif',
  legend: { orient: 'right', title: null, labelLimit: 320 },
  title: { fontSize: 14 },
} as const;
