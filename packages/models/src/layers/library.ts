import type { LayerLibrary, LayerSpec, SequentialSpec } from '@spikeflow/core';
import { lifLayer } from './lif.js';
import { linearLayer } from './linear.js';

/** The layer kinds a declarative spec may name. */
export const standardLayers: LayerLibrary = {
  linear: linearLayer,
  lif: lifLayer,
} as LayerLibrary;

export function sequential(layers: readonly LayerSpec[]): SequentialSpec {
  return { kind: 'sequential', layers: [...layers] };
}
