import { evaluate, fail, nodeAs, toArray, trace } from '@spikeflow/core';
import { lsnn, lsnnConfig, type LsnnConfig, type LsnnOptions } from '@spikeflow/models';
import type { NirDocument, NirNode } from '../nir-graph.js';
import type { LeakArithmetic, ResetMode } from '../import/options.js';
import { f32Array, filled } from '../import/arrays.js';
import type { SequentialExport } from './export-sequential.js';
import { decayTimeConstant } from './decay-time-constant.js';

/**
 * spikeflow's LSNN (Bellec et al. 2018) as a NIR graph whose import, with the returned options,
 * computes the network's discrete update bit for bit:
 *
 *   input → <scope>.w_in (Linear) → <scope>.lif (LIF) ⇄ <scope>.w_rec (Linear) → <scope>.w_out (Linear)
 *     → <scope>.readout (LI) [→ <scope>.bias (Affine, identity weight)] → output
 *
 * The LSNN's neurons step v_t = α·v_{t−1} + (1 − α)·I_t − b0·z_{t−1}, z_t = [v_t ≥ b0] (the ALIF
 * neuron with β = 0), and its readout y_t = κ·y_{t−1} + (1 − κ)·z_t W_out, plus b after the filter.
 * Their NIR time constants are τ = dt/(1 − α) (and dt/(1 − κ)), stored in f64: forward Euler of
 * the NIR ODE with that τ is the same update, and the import's `decay` arithmetic recovers α and
 * 1 − α from τ to the LSNN's own f32 constants (checked here). The reset subtracts b0 a step after
 * the spike, after the leak: the import's `subtract-threshold-next-step`. Recurrent spikes arrive
 * one step late, as NIR's edge closing a cycle carries them.
 */
export interface LsnnExportOptions {
  /** The simulation step the NIR time constants are written for (the import's dt). */
  readonly dt: number;
}

/** The document and the options under which `importNir` computes the LSNN's bits. */
export type LsnnExport = SequentialExport;

type Params = Readonly<Record<string, ArrayLike<number>>>;

/** What the LSNN has that no NIR node holds; checked before anything else. */
function refuseUnexportable(config: LsnnConfig): void {
  if (config.nAlif > 0 && config.beta > 0) {
    fail('spec', 'lsnn.beta', `cannot export to NIR: ALIF threshold adaptation has no NIR equivalent (β = ${config.beta} on ${config.nAlif} ALIF neurons; NIR neurons have no adaptation variable); export with beta = 0 or nAlif = 0`);
  }
  if (Math.round(config.refractory / config.dt) > 0) {
    fail('spec', 'lsnn.refractory', `cannot export to NIR: a refractory period has no NIR equivalent (refractory = ${config.refractory}, ${Math.round(config.refractory / config.dt)} steps; NIR neurons have no refractory state); export with refractory = 0`);
  }
}

/**
 * The LSNN's effective weights (after the self-connection mask and DEEP R's s ⊙ relu(θ)), as its own
 * graph computes them in f32, row-major [in, out].
 */
function effectiveWeights(config: LsnnConfig, params: Params): { input: number[]; recurrent: number[]; output: number[] } {
  const net = lsnn(config);
  const graph = trace((b) => {
    const { weights } = net(b, b.input('x', [1, 1, config.inputs]));
    return { input: weights.input, recurrent: weights.recurrent, output: weights.output };
  });
  const values: Record<string, ArrayLike<number>> = Object.create(null);
  for (const id of graph.params) {
    const { name, shape } = nodeAs(graph, id, 'param').attrs;
    const value = Object.hasOwn(params, name) ? params[name] : undefined;
    const size = shape.reduce((a, d) => a * d, 1);
    if (value === undefined) fail('interface', `params.${name}`, 'the LSNN’s param has no value');
    if (value.length !== size) fail('shape', `params.${name}`, 'the value has the wrong number of elements', `${size}`, `${value.length}`);
    values[name] = value;
  }
  const { outputs } = evaluate(graph, { inputs: { x: new Float32Array(config.inputs) }, params: values });
  return { input: toArray(outputs.input!), recurrent: toArray(outputs.recurrent!), output: toArray(outputs.output!) };
}

/** [in, out] (spikeflow) -> [out, in] (NIR). */
function transposed(values: readonly number[], rows: number, cols: number): number[] {
  return Array.from({ length: rows * cols }, (_, k) => values[(k % rows) * cols + Math.floor(k / rows)]!);
}

export function exportLsnn(options: LsnnOptions, params: Params, exportOptions: LsnnExportOptions): LsnnExport {
  const { dt } = exportOptions;
  if (!(dt > 0) || !Number.isFinite(dt)) fail('attr', 'options.dt', 'dt must be a positive finite number', '> 0', String(dt));
  const config = lsnnConfig(options);
  refuseUnexportable(config);
  const { inputs, outputs, scope } = config;
  const n = config.nLif + config.nAlif;
  const w = effectiveWeights(config, params);
  const all = (size: number, value: number) => filled([size], value);
  const names = { win: `${scope}.w_in`, lif: `${scope}.lif`, wrec: `${scope}.w_rec`, wout: `${scope}.w_out`, readout: `${scope}.readout`, bias: `${scope}.bias` };

  const lif: NirNode = {
    type: 'LIF',
    tau: all(n, decayTimeConstant(Math.exp(-config.dt / config.tauM), dt, 'lsnn.tauM')),
    r: all(n, 1),
    v_leak: all(n, 0),
    v_threshold: all(n, config.b0),
    v_reset: all(n, 0),
  };
  const readout: NirNode = { type: 'LI', tau: all(outputs, decayTimeConstant(Math.exp(-config.dt / config.tauOut), dt, 'lsnn.tauOut')), r: all(outputs, 1), v_leak: all(outputs, 0) };
  const nodes = new Map<string, NirNode>([
    ['input', { type: 'Input', shape: [inputs] }],
    [names.win, { type: 'Linear', weight: f32Array([n, inputs], transposed(w.input, inputs, n)) }],
    [names.lif, lif],
    [names.wrec, { type: 'Linear', weight: f32Array([n, n], transposed(w.recurrent, n, n)) }],
    [names.wout, { type: 'Linear', weight: f32Array([outputs, n], transposed(w.output, n, outputs)) }],
    [names.readout, readout],
  ]);
  // The edge w_rec → lif closes the cycle, so it carries the spikes of the previous step.
  const edges: [string, string][] = [['input', names.win], [names.win, names.lif], [names.lif, names.wrec], [names.wrec, names.lif], [names.lif, names.wout], [names.wout, names.readout]];
  let last = names.readout;
  if (config.readoutBias) {
    // The LSNN adds b after the filter: an Affine with the identity adds it exactly (y·1 + b).
    const biasName = `${scope}/out/b`;
    const b = Object.hasOwn(params, biasName) ? params[biasName]! : fail('interface', `params.${biasName}`, 'the LSNN’s param has no value');
    const identity = Array.from({ length: outputs * outputs }, (_, k) => Number(Math.floor(k / outputs) === k % outputs));
    nodes.set(names.bias, { type: 'Affine', weight: f32Array([outputs, outputs], identity), bias: f32Array([outputs], b) });
    edges.push([last, names.bias]);
    last = names.bias;
  }
  nodes.set('output', { type: 'Output', shape: [outputs] });
  edges.push([last, 'output']);
  const reset = new Map<string, ResetMode>([[names.lif, 'subtract-threshold-next-step']]);
  const leak = new Map<string, LeakArithmetic>([[names.lif, 'decay'], [names.readout, 'decay']]);
  return { document: { version: '0.2.0', graph: { type: 'NIRGraph', nodes, edges } }, importOptions: { dt, reset, leak, firing: 'at-or-above' } };
}
