/**
 * Rasterises a plot's SVG to PNG (resvg, a maintained Rust SVG renderer with prebuilt Node
 * binaries) and writes a plot as both files. Node only. resvg is loaded on first use, as Vega is.
 */
import { writeFile } from 'node:fs/promises';
import { plotSvg, type PlotSpec } from './render.js';

/** PNG pixels per SVG unit: sharp on high-density screens, still small files. */
const PNG_SCALE = 2;

export interface Png {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export async function svgToPng(svg: string, scale = PNG_SCALE): Promise<Png> {
  const { Resvg } = await import('@resvg/resvg-js');
  const image = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true } }).render();
  return { bytes: image.asPng(), width: image.width, height: image.height };
}

/** Writes `${base}.svg` and `${base}.png`; returns the two paths. */
export async function writePlot(base: string, spec: PlotSpec): Promise<readonly [string, string]> {
  const svg = await plotSvg(spec);
  const [svgFile, pngFile] = [`${base}.svg`, `${base}.png`] as const;
  await writeFile(svgFile, svg);
  await writeFile(pngFile, (await svgToPng(svg)).bytes);
  return [svgFile, pngFile];
}
