import { fail } from '@spikeflow/core';
import { layerScope, type LayerSpec, type SequentialSpec } from '@spikeflow/models';
import type { NirDocument, NirNode } from '../nir-graph.js';
import type { FiringRule, LeakArithmetic, ResetMode } from '../import/options.js';
import { f32Array, filled } from '../import/arrays.js';
import { decayTimeConstant } from './decay-time-constant.js';

/**
 * A spikeflow sequential model (its spec and param values) as a NIR graph whose import, with the
 * returned options, runs the same discrete dynamics. spikeflow's neurons are stepped in units of
 * steps; NIR's in time: each is written for the step `dt` given here (docs/nir.md has the table).
 */
export interface SequentialExportOptions {
  /** The simulation step the NIR time constants are written for. */
  readonly dt: number;
  /** The per-sample input shape (without T and B), e.g. `[2, 34, 34]`. */
  readonly inputShape: readonly number[];
}

export interface SequentialExport {
  readonly document: NirDocument;
  /**
   * What importNir needs to reproduce the model: dt, each neuron's reset, spikeflow's firing rule
   * (v ≥ θ), and each leak's f32 arithmetic (the LIF's division by τ, the leaky integrator's
   * α·v + (1 − α)·x), so that its roundings are spikeflow's.
   */
  readonly importOptions: {
    readonly dt: number;
    readonly reset: ReadonlyMap<string, ResetMode>;
    readonly leak: ReadonlyMap<string, LeakArithmetic>;
    readonly firing: FiringRule;
  };
}

type Params = Readonly<Record<string, ArrayLike<number>>>;
type Spec = LayerSpec & Readonly<Record<string, unknown>>;

/** Why a layer kind has no NIR form. */
const REFUSED: Readonly<Record<string, string>> = {
  psn: 'a PSN integrates its input through a learned kernel over all T steps; NIR has no node for a learned temporal kernel',
  maskedPsn: 'a masked PSN integrates its input through a learned kernel over a window of steps; NIR has no node for a learned temporal kernel',
  slidingPsn: 'a sliding PSN integrates its input through a learned kernel over a window of steps; NIR has no node for a learned temporal kernel',
  alif: 'ALIF adapts its threshold through a second state variable; NIR has no neuron with an adaptation variable',
  maxPool2d: 'NIR has no max pooling node (only SumPool2d and AvgPool2d)',
  dropout: 'NIR has no dropout node; export the inference model without the dropout layer',
  tdBN: 'NIR has no batch normalisation node; fold it into the preceding convolution before export',
  bntt: 'NIR has no batch normalisation node (per time step); fold it into the preceding layer before export',
};

const pair = (v: unknown): [number, number] => (typeof v === 'number' ? [v, v] : [(v as number[])[0]!, (v as number[])[1]!]);

/** [in, out] (spikeflow) -> [out, in] (NIR). */
function transposed(values: ArrayLike<number>, rows: number, cols: number): number[] {
  return Array.from({ length: rows * cols }, (_, k) => values[(k % rows) * cols + Math.floor(k / rows)]!);
}

export function exportSequential(spec: SequentialSpec, params: Params, options: SequentialExportOptions): SequentialExport {
  const { dt } = options;
  if (!(dt > 0) || !Number.isFinite(dt)) fail('attr', 'options.dt', 'dt must be a positive finite number', '> 0', String(dt));
  // Refusals first, so a model that cannot be exported fails on its reason, not on a missing param.
  spec.layers.forEach((raw, index) => {
    const layer = raw as Spec;
    const where = `layers[${index}] (${layer.kind})`;
    if (Object.hasOwn(REFUSED, layer.kind)) fail('spec', where, `cannot export to NIR: ${REFUSED[layer.kind]}`);
    const neuron = layer.kind === 'recurrent' ? (layer.neuron as Spec) : undefined;
    if (neuron !== undefined && Object.hasOwn(REFUSED, neuron.kind)) fail('spec', `${where}.neuron`, `cannot export to NIR: ${REFUSED[neuron.kind]}`);
  });
  const nodes = new Map<string, NirNode>([['input', { type: 'Input', shape: [...options.inputShape] }]]);
  const edges: [string, string][] = [];
  const reset = new Map<string, ResetMode>();
  const leak = new Map<string, LeakArithmetic>();
  /** How the import must treat the neuron node `name` made from `neuron` to compute as spikeflow does. */
  const importRules = (name: string, neuron: Spec) => {
    if (neuron.vReset !== undefined) reset.set(name, neuron.vReset === null ? 'subtract-threshold' : 'to-reset-value');
    if (neuron.kind === 'lif') leak.set(name, 'time-constant');
    if (neuron.kind === 'li') leak.set(name, 'decay');
  };
  let shape = [...options.inputShape];
  let last = 'input';

  const param = (name: string, size: number): ArrayLike<number> => {
    const v = Object.hasOwn(params, name) ? params[name] : undefined;
    if (v === undefined) fail('interface', `params.${name}`, 'the model’s param has no value');
    if (v.length !== size) fail('shape', `params.${name}`, 'the value has the wrong number of elements', `${size}`, `${v.length}`);
    return v;
  };
  const add = (name: string, node: NirNode, from: string = last) => {
    nodes.set(name, node);
    edges.push([from, name]);
  };
  const denseNode = (prefix: string, inF: number, outF: number, bias: boolean): NirNode => {
    const weight = f32Array([outF, inF], transposed(param(`${prefix}/w`, inF * outF), inF, outF));
    return bias ? { type: 'Affine', weight, bias: f32Array([outF], param(`${prefix}/b`, outF)) } : { type: 'Linear', weight };
  };

  spec.layers.forEach((raw, index) => {
    const layer = raw as Spec;
    const scope = layerScope(layer.kind, index);
    const where = `layers[${index}] (${layer.kind})`;
    switch (layer.kind) {
      case 'linear': {
        const [inF, outF] = [layer.in as number, layer.out as number];
        add(scope, denseNode(scope, inF, outF, layer.bias as boolean));
        shape = [...shape.slice(0, -1), outF];
        break;
      }
      case 'conv1d':
      case 'conv2d': {
        const dims = layer.kind === 'conv1d' ? 1 : 2;
        const kernel = dims === 1 ? [layer.kernel as number] : pair(layer.kernel);
        const stride = dims === 1 ? [layer.stride as number] : pair(layer.stride);
        const dilation = dims === 1 ? [layer.dilation as number] : pair(layer.dilation);
        const padding = symmetricPadding(layer.padding, dims, where);
        const [cin, cout, groups] = [layer.in as number, layer.out as number, layer.groups as number];
        const wShape = [cout, cin / groups, ...kernel];
        const weight = f32Array(wShape, param(`${scope}/w`, wShape.reduce((a, d) => a * d, 1)));
        const bias = layer.bias ? f32Array([cout], param(`${scope}/b`, cout)) : undefined;
        const spatial = shape.slice(1);
        const common = { weight, bias, groups };
        add(scope, dims === 1
          ? { type: 'Conv1d', ...common, stride: stride[0]!, padding: padding[0]!, dilation: dilation[0]!, input_shape: spatial[0] }
          : { type: 'Conv2d', ...common, stride, padding, dilation, input_shape: spatial });
        shape = [cout, ...spatial.map((n, k) => Math.floor((n! + 2 * padding[k]! - dilation[k]! * (kernel[k]! - 1) - 1) / stride[k]!) + 1)];
        break;
      }
      case 'sumPool2d':
      case 'avgPool2d': {
        const kernel = pair(layer.kernel);
        const stride = layer.stride === undefined ? kernel : pair(layer.stride);
        const padding = pair(layer.padding);
        add(scope, { type: layer.kind === 'sumPool2d' ? 'SumPool2d' : 'AvgPool2d', kernel_size: kernel, stride, padding });
        shape = [shape[0]!, ...shape.slice(1).map((n, k) => Math.floor((n + 2 * padding[k]! - kernel[k]!) / stride[k]!) + 1)];
        break;
      }
      case 'flatten': {
        // spikeflow's axes count T and B; NIR's count the per-sample axes only.
        const rank = shape.length + 2;
        const norm = (d: number) => (d < 0 ? d + rank : d);
        const [start, end] = [norm(layer.startDim as number) - 2, norm(layer.endDim as number) - 2];
        if (start < 0) fail('spec', where, 'cannot export to NIR: this flatten merges the time or batch axis');
        add(scope, { type: 'Flatten', start_dim: start, end_dim: end, input_type: [...shape] });
        shape = [...shape.slice(0, start), shape.slice(start, end + 1).reduce((a, d) => a * d, 1), ...shape.slice(end + 1)];
        break;
      }
      case 'recurrent': {
        const [inF, outF] = [layer.in as number, layer.out as number];
        const neuron = layer.neuron as Spec;
        const [win, cell, wrec] = [`${scope}.w_in`, `${scope}.${neuron.kind}`, `${scope}.w_rec`];
        add(win, denseNode(`${scope}/input`, inF, outF, layer.bias as boolean));
        shape = [...shape.slice(0, -1), outF];
        add(cell, neuronNode(neuron, `${scope}/rec/${neuron.kind}`, shape, params, dt, `${where}.neuron`), win);
        // W_rec [out, out] with row i the synapses leaving neuron i, its diagonal masked unless selfConnections.
        const w = Array.from(param(`${scope}/rec/w`, outF * outF), (v, k) => (!layer.selfConnections && k % (outF + 1) === 0 ? 0 : v));
        add(wrec, { type: 'Linear', weight: f32Array([outF, outF], transposed(w, outF, outF)) }, cell);
        edges.push([wrec, cell]);
        importRules(cell, neuron);
        last = cell;
        return;
      }
      case 'lif':
      case 'plif':
      case 'if':
      case 'li':
        add(scope, neuronNode(layer, scope, shape, params, dt, where));
        importRules(scope, layer);
        break;
      default:
        fail('spec', where, `cannot export to NIR: the layer kind '${layer.kind}' has no NIR equivalent`);
    }
    last = scope;
  });
  nodes.set('output', { type: 'Output', shape: [...shape] });
  edges.push([last, 'output']);
  return { document: { version: '0.2.0', graph: { type: 'NIRGraph', nodes, edges } }, importOptions: { dt, reset, leak, firing: 'at-or-above' } };
}

function symmetricPadding(padding: unknown, dims: number, where: string): number[] {
  if (typeof padding === 'number') return Array<number>(dims).fill(padding);
  const p = padding as readonly (number | readonly number[])[];
  if (dims === 1) {
    if (p[0] !== p[1]) fail('spec', `${where}.padding`, 'cannot export to NIR: NIR pads both ends of an axis equally', 'equal padding', JSON.stringify(padding));
    return [p[0] as number];
  }
  return p.map((side) => {
    if (typeof side === 'number') return side;
    if (side[0] !== side[1]) fail('spec', `${where}.padding`, 'cannot export to NIR: NIR pads both ends of an axis equally', 'equal padding', JSON.stringify(padding));
    return side[0]!;
  });
}

/** f32 sigmoid as core's CPU rule computes it. */
function sigmoid(x: number): number {
  return Math.fround(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
}

/**
 * A spikeflow neuron (its spec, in units of steps) as a NIR neuron for step dt:
 * lif: τ_NIR = τ·dt, R = 1 (or τ without decayInput), v_leak = v_reset = vReset (0 for the soft reset);
 * plif: the same with τ_NIR = dt / sigmoid(w); if: R = 1/dt; li: τ_NIR = dt/(1 − e^(−dt_li/τ_li)), R = 1.
 */
function neuronNode(layer: Spec, paramScope: string, shape: readonly number[], params: Params, dt: number, where: string): NirNode {
  const full = (v: number) => filled(shape, v);
  const vReset = layer.vReset as number | null | undefined;
  const rest = vReset ?? 0;
  const spiking = { v_threshold: full(layer.vThreshold as number), v_reset: full(rest) };
  const leaky = (tauSteps: number): NirNode => ({
    type: 'LIF',
    tau: full(tauSteps * dt),
    r: full(layer.decayInput === false ? tauSteps : 1),
    v_leak: full(rest),
    ...spiking,
  });
  switch (layer.kind) {
    case 'lif':
      return leaky(layer.tau as number);
    case 'plif': {
      const w = Object.hasOwn(params, `${paramScope}/w`) ? params[`${paramScope}/w`] : undefined;
      if (w === undefined || w.length !== 1) fail('interface', `params.${paramScope}/w`, 'PLIF’s learned w (one value) is missing');
      const k = sigmoid(w[0]!);
      return { ...(leaky(1) as Extract<NirNode, { type: 'LIF' }>), tau: full(dt / k), r: full(layer.decayInput === false ? 1 / k : 1) };
    }
    case 'if':
      if (rest !== 0) fail('spec', `${where}.vReset`, 'cannot export to NIR: spikeflow’s IF starts at vReset, NIR’s IF at 0 (it has no resting potential)', '0 or null', String(vReset));
      return { type: 'IF', r: full(1 / dt), ...spiking };
    case 'li': {
      const alpha = Math.exp(-(layer.dt as number) / (layer.tau as number));
      return { type: 'LI', tau: full(decayTimeConstant(alpha, dt, `${where}.tau`)), r: full(1), v_leak: full(0) };
    }
    default:
      return fail('spec', where, `cannot export to NIR: the neuron kind '${layer.kind}' has no NIR equivalent`);
  }
}

