import type { LayerLibrary, LayerSpec, SequentialSpec } from '../spec/sequential.js';
import { alifNeuron } from '../neurons/alif.js';
import { ifNeuron } from '../neurons/if.js';
import { leakyIntegratorNeuron } from '../neurons/leaky-integrator.js';
import { plifNeuron } from '../neurons/plif.js';
import { maskedPsnLayer, psnLayer, slidingPsnLayer } from '../psn/index.js';
import { conv1dLayer, conv2dLayer } from './conv.js';
import { bnttLayer } from './bntt.js';
import { dropoutLayer } from './dropout.js';
import { faLinearLayer } from './fa-linear.js';
import { flattenLayer } from './flatten.js';
import { lifLayer } from './lif.js';
import { linearLayer } from './linear.js';
import { avgPool2dLayer, maxPool2dLayer, sumPool2dLayer } from './pool-layers.js';
import { recurrentLayer } from './recurrent.js';
import { tdBNLayer } from './td-bn.js';

/** The layer kinds a declarative spec may name. */
export const standardLayers: LayerLibrary = {
  linear: linearLayer,
  faLinear: faLinearLayer,
  conv1d: conv1dLayer,
  conv2d: conv2dLayer,
  maxPool2d: maxPool2dLayer,
  avgPool2d: avgPool2dLayer,
  sumPool2d: sumPool2dLayer,
  flatten: flattenLayer,
  tdBN: tdBNLayer,
  bntt: bnttLayer,
  dropout: dropoutLayer,
  lif: lifLayer,
  if: ifNeuron.definition,
  plif: plifNeuron.definition,
  alif: alifNeuron.definition,
  li: leakyIntegratorNeuron.definition,
  psn: psnLayer,
  maskedPsn: maskedPsnLayer,
  slidingPsn: slidingPsnLayer,
  recurrent: recurrentLayer,
} as LayerLibrary;

export function sequential(layers: readonly LayerSpec[]): SequentialSpec {
  return { kind: 'sequential', layers: [...layers] };
}
