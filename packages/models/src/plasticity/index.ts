import type { LayerLibrary } from '../spec/sequential.js';
import { plasticLinearLayer } from './plastic-linear.js';
import { plasticRecurrentLayer } from './plastic-recurrent.js';

export * from './spec.js';
export * from './rules.js';
export * from './unit.js';
export * from './synapse.js';
export * from './plastic-linear.js';
export * from './plastic-recurrent.js';
export * from './cue-association-network.js';

/** The plastic layer kinds, to merge into a declarative spec's library: `{ ...standardLayers, ...plasticLayers }`. */
export const plasticLayers: LayerLibrary = {
  plasticLinear: plasticLinearLayer,
  plasticRecurrent: plasticRecurrentLayer,
} as LayerLibrary;
