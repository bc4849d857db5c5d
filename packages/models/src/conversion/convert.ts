import { fail, formatShape, sameShape, type HostTensor } from '@spikeflow/core';
import { linear } from '../layers/linear.js';
import { sequential } from '../layers/library.js';
import { integrateAndFire } from '../neurons/if.js';
import type { LayerSpec, SequentialSpec } from '../spec/sequential.js';
import { weightLayers } from './ann-mlp.js';
import type { LayerScale } from './activation-scales.js';

/**
 * ANN-to-SNN conversion (Rueckauer et al. 2017): each linear layer keeps its place and its
 * params, rescaled by the activation scales, and every ReLU, as well as the output, becomes a
 * layer of integrate-and-fire neurons with threshold 1 and reset by subtraction. An IF neuron
 * driven by a constant current z fires at rate min(max(z, 0), 1) up to 1/T after T steps, so a
 * network whose normalised activations stay below 1 is approximated layer by layer.
 */

/** The IF neurons of a converted network: threshold 1, reset by subtraction (the residual is kept). */
export const CONVERTED_NEURON = { vThreshold: 1, vReset: null } as const;

export interface ConvertedSnn {
  /** Linear and `if` layers: linear0, if1, linear2, if3, ..., the ANN's layer indices kept. */
  readonly spec: SequentialSpec;
  /** The rescaled params, by the same names as the ANN's (`linear0/w`, `linear0/b`, ...). */
  readonly params: Readonly<Record<string, HostTensor>>;
  /** λ_l of each weight layer, as used. */
  readonly scales: readonly LayerScale[];
}

function paramOf(params: Readonly<Record<string, HostTensor>>, name: string, shape: readonly number[]): HostTensor {
  if (!Object.hasOwn(params, name)) fail('feed', `params.${name}`, 'the network has this param but no value was given', `f32${formatShape(shape)}`, 'none');
  const value = params[name]!;
  if (value.type.dtype !== 'f32' || !sameShape(value.type.shape, shape)) fail('feed', `params.${name}`, 'the param has the wrong type', `f32${formatShape(shape)}`, `${value.type.dtype}${formatShape(value.type.shape)}`);
  return value;
}

function scaled(value: HostTensor, factor: number): HostTensor {
  return { type: value.type, data: Float32Array.from(value.data, (v) => v * factor) };
}

/**
 * The converted SNN of an analog network (see `weightLayers` for the form it must have) with its
 * trained `params` and the scales λ_l of its weight layers (`activationScales`): W_l ← W_l·λ_{l−1}/λ_l
 * and b_l ← b_l/λ_l, with λ_0 = 1 (inputs in [0, 1], the paper's convention for images).
 */
export function convertToSnn(ann: SequentialSpec | string, params: Readonly<Record<string, HostTensor>>, scales: readonly LayerScale[]): ConvertedSnn {
  const layers = weightLayers(ann);
  const byLayer = new Map(scales.map((s) => [s.layer, s.scale]));
  const converted: Record<string, HostTensor> = Object.create(null) as Record<string, HostTensor>;
  const spec: LayerSpec[] = [];
  let previous = 1;
  for (const layer of layers) {
    const scale = byLayer.get(layer.name);
    if (scale === undefined || !(scale > 0 && Number.isFinite(scale))) fail('attr', `scales.${layer.name}`, 'every weight layer needs a positive finite scale', 'λ > 0', String(scale));
    const { in: inputs, out, bias } = layer.spec;
    converted[`${layer.name}/w`] = scaled(paramOf(params, `${layer.name}/w`, [inputs, out]), previous / scale);
    if (bias) converted[`${layer.name}/b`] = scaled(paramOf(params, `${layer.name}/b`, [out]), 1 / scale);
    spec.push(linear(inputs, out, { bias }), integrateAndFire(CONVERTED_NEURON));
    previous = scale;
  }
  return { spec: sequential(spec), params: converted, scales: layers.map((l) => ({ layer: l.name, scale: byLayer.get(l.name)! })) };
}
