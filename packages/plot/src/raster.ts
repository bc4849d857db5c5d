/**
 * A spike raster as a Vega-Lite spec: one panel per spiking layer (input first), time steps along
 * x, neurons along y with their indices as ticks, a filled cell at each step a neuron spikes. A
 * layer whose outputs are not all 0 or 1 (a linear layer's currents, a leaky-integrator readout)
 * carries no spikes and is left out. Runtime-neutral.
 */
import type { PlotSpec } from './render.js';
import { CONFIG, PANEL, SCHEMA } from './style.js';

export interface LayerSpikes {
  readonly name: string;
  readonly units: number;
  /** Row-major [T, units]. */
  readonly values: ArrayLike<number>;
}

/** A neuron's row is at most this tall; wide layers (e.g. 784 MNIST inputs) get thinner rows, down to a band of MAX_BAND. */
const MAX_ROW = 6;
const MAX_BAND = 200;
/** A narrow layer's band still fits a tick label per neuron. */
const MIN_BAND = 48;
const SPIKE_COLOR = '#111111';

const isSpikes = (a: LayerSpikes): boolean => Array.prototype.every.call(a.values, (v: number) => v === 0 || v === 1);

function band(layer: LayerSpikes, steps: number): object {
  const spikes: { t: number; n: number }[] = [];
  for (let t = 0; t < steps; t++) for (let n = 0; n < layer.units; n++) if (layer.values[t * layer.units + n] === 1) spikes.push({ t, n });
  const rate = spikes.length / (steps * layer.units);
  return {
    title: { text: `${layer.name}: ${layer.units} units, ${spikes.length} spikes (rate ${rate.toFixed(3)})`, anchor: 'start', fontSize: 12 },
    width: PANEL.width,
    height: Math.max(MIN_BAND, Math.min(MAX_BAND, MAX_ROW * layer.units)),
    data: { values: spikes },
    transform: [{ calculate: 'datum.t + 1', as: 't_end' }, { calculate: 'datum.n + 1', as: 'n_end' }],
    mark: { type: 'rect', color: SPIKE_COLOR },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time step', scale: { domain: [0, steps], nice: false }, axis: { tickMinStep: 1, format: 'd' } },
      x2: { field: 't_end' },
      // Neuron 0 at the bottom, as the axis counts up.
      y: { field: 'n', type: 'quantitative', title: 'neuron', scale: { domain: [0, layer.units], nice: false }, axis: { tickMinStep: 1, format: 'd' } },
      y2: { field: 'n_end' },
    },
  };
}

export function rasterSpec(layers: readonly LayerSpikes[], steps: number, title: string): PlotSpec {
  return { $schema: SCHEMA, title, config: CONFIG, vconcat: layers.filter(isSpikes).map((l) => band(l, steps)) } as PlotSpec;
}
