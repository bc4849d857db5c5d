/**
 * Renders a Vega-Lite spec to SVG text with Vega's headless view (no DOM, no canvas).
 * Runtime-neutral; png.ts rasterises the SVG in Node. Vega and Vega-Lite are loaded on the first
 * plot, not with the module: together they take a large share of the CLI's start-up otherwise.
 */
import type { TopLevelSpec } from 'vega-lite';

/** A plot: a Vega-Lite spec with its data inline. */
export type PlotSpec = TopLevelSpec;

export async function plotSvg(spec: PlotSpec): Promise<string> {
  const [{ parse, View }, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
