/**
 * Renders a Vega-Lite spec to SVG text with Vega's headless view (no DOM, no canvas).
 * Runtime-neutral; png.ts rasterises the SVG in Node.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A plot: a Vega-Lite spec with its data inline. */
export type PlotSpec = TopLevelSpec;

export async function plotSvg(spec: PlotSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return `${await view.toSVG()}\n`;
  } finally {
    view.finalize();
  }
}
