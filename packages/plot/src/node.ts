/**
 * '@spikeflow/plot/node': a plot's PNG and its SVG and PNG files. Kept out of the main entry so
 * browser and Deno bundles never pull in node:fs or resvg's native binary.
 */
export { svgToPng, writePlot, type Png } from './png.js';
