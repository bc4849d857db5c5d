/**
 * A spike raster as a small self-contained SVG: one band per spiking layer (input first), one row
 * per unit, a mark at each step the unit spikes. A layer whose outputs are not all 0 or 1 (a
 * linear layer's currents, a leaky-integrator readout) carries no spikes and is left out.
 */
import type { LayerActivity } from './activity.js';

const W = 640;
const PAD = 48;
const GAP = 18;
/** A band is at most this tall; its rows shrink below a pixel for wide layers (e.g. 784 MNIST inputs). */
const MAX_BAND = 160;
const MAX_ROW = 6;

const isSpikes = (a: LayerActivity): boolean => Array.prototype.every.call(a.values, (v: number) => v === 0 || v === 1);

export function rasterSvg(layers: readonly LayerActivity[], steps: number, title: string): string {
  const bands = layers.filter(isSpikes);
  const dx = (W - 2 * PAD) / steps;
  let top = PAD;
  const parts: string[] = [];
  for (const band of bands) {
    const dy = Math.min(MAX_ROW, MAX_BAND / band.units);
    const height = dy * band.units;
    let count = 0;
    const marks: string[] = [];
    for (let t = 0; t < steps; t++) {
      for (let n = 0; n < band.units; n++) {
        if (band.values[t * band.units + n] !== 1) continue;
        count++;
        marks.push(`M${(PAD + t * dx).toFixed(1)},${(top + n * dy).toFixed(2)}h${Math.max(dx - 1, 1).toFixed(1)}v${Math.max(dy - 0.5, 0.3).toFixed(2)}h${(-Math.max(dx - 1, 1)).toFixed(1)}z`);
      }
    }
    const rate = count / (steps * band.units);
    parts.push(
      `<text x="${PAD}" y="${(top - 4).toFixed(1)}" font-size="11">${band.name}: ${band.units} units, ${count} spikes (rate ${rate.toFixed(3)})</text>`,
      `<rect x="${PAD}" y="${top.toFixed(1)}" width="${W - 2 * PAD}" height="${height.toFixed(1)}" fill="#f4f4f5" stroke="#bbb"/>`,
      `<path d="${marks.join('')}" fill="#111"/>`,
    );
    top += height + GAP + 12;
  }
  const H = top - GAP + 24;
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H.toFixed(0)}" viewBox="0 0 ${W} ${H.toFixed(0)}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H.toFixed(0)}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    ...parts,
    `<text x="${W / 2}" y="${(H - 14).toFixed(0)}" text-anchor="middle" font-size="12">time step 0–${steps - 1}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
