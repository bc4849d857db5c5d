import type { LayerLibrary, LayerSpec, SequentialSpec } from '@spikeflow/core';
import { alifNeuron } from '../neurons/alif.js';
import { ifNeuron } from '../neurons/if.js';
import { leakyIntegratorNeuron } from '../neurons/leaky-integrator.js';
import { plifNeuron } from '../neurons/plif.js';
import { maskedPsnLayer, psnLayer, slidingPsnLayer } from '../psn/index.js';
import { lifLayer } from './lif.js';
import { linearLayer } from './linear.js';

/** The layer kinds a declarative spec may name. */
export const standardLayers: LayerLibrary = {
  linear: linearLayer,
  lif: lifLayer,
  if: ifNeuron.definition,
  plif: plifNeuron.definition,
  alif: alifNeuron.definition,
  li: leakyIntegratorNeuron.definition,
  psn: psnLayer,
  maskedPsn: maskedPsnLayer,
  slidingPsn: slidingPsnLayer,
} as LayerLibrary;

export function sequential(layers: readonly LayerSpec[]): SequentialSpec {
  return { kind: 'sequential', layers: [...layers] };
}
