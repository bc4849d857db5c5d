import { fail, formatShape, GraphBuilder, type Graph, type Shape, type Tensor } from '@spikeflow/core';
import type { NirArray, NirDocument } from '../nir-graph.js';
import { toF32, uniformValue } from './arrays.js';
import { delayNode, type DelayNode } from './delay.js';
import { feedForward } from './feed-forward.js';
import { flattenGraph, type FlatGraph, type NirLeafNode } from './flat-graph.js';
import { neuronNode, type SteppedNeuron } from './neuron-nodes.js';
import type { MapNode, NodeContext } from './node-context.js';
import { resolveOptions, type ImportOptions, type ResolvedOptions } from './options.js';
import { scheduleGraph, type Schedule } from './schedule.js';

/**
 * A NIR graph as a runnable spikeflow graph. Inputs: one per NIR Input node, by its name, of
 * shape `[T, B, ...shape]`. Outputs: one per NIR Output node, by its name, then each neuron
 * node's output (spikes, or v for LI, CubaLI and I) by its NIR name, e.g. `lif1.lif`.
 */
export interface NirModel {
  readonly graph: Graph;
  /** Values of the graph's params (`<node>/weight`, `<node>/bias`, `<node>/scale`), f32. */
  readonly params: Readonly<Record<string, Float32Array>>;
  /** The neuron nodes whose outputs the graph also returns, in file order. */
  readonly neuronOutputs: readonly string[];
  /** The flat NIR graph it was built from and the options, for `exportNir`. */
  readonly source: FlatGraph;
  readonly version: string;
  readonly options: ResolvedOptions;
}

type Prepared = { readonly kind: 'input' } | { readonly kind: 'identity' } | MapNode | SteppedNeuron | DelayNode;

const NEURONS = new Set(['I', 'IF', 'LI', 'LIF', 'CubaLI', 'CubaLIF']);

function prepare(ctx: NodeContext, node: NirLeafNode, inner: boolean): Prepared {
  if (inner) return { kind: 'identity' };
  switch (node.type) {
    case 'Input':
      return { kind: 'input' };
    case 'Output':
      return { kind: 'identity' };
    case 'Delay':
      return delayNode(ctx, node);
    case 'I':
    case 'IF':
    case 'LI':
    case 'LIF':
    case 'CubaLI':
    case 'CubaLIF':
      return neuronNode(ctx, node);
    case 'Affine':
    case 'Linear':
    case 'Scale':
    case 'Threshold':
    case 'Flatten':
    case 'Conv1d':
    case 'Conv2d':
    case 'SumPool2d':
    case 'AvgPool2d':
      return feedForward(ctx, node);
    default:
      return fail('unknown-op', ctx.name, `NIR node type '${(node as { type: string }).type}' has no spikeflow mapping`);
  }
}

/** The per-sample output shape of a node that feeds a value back to an earlier step, or a refusal. */
function feedbackShape(name: string, node: NirLeafNode, prepared: Prepared): Shape {
  if (prepared.kind === 'neuron') return prepared.shape;
  if (node.type === 'Linear' || node.type === 'Affine') return [node.weight.shape[0]!];
  if (node.type === 'Scale') return [...node.scale.shape];
  if (node.type === 'Threshold') return [...node.threshold.shape];
  return fail('shape', name, `a ${node.type} node's output closes a cycle, and its shape cannot be known before the cycle is traced; put a Linear, Affine, Scale, Threshold or neuron node at the end of the cycle`);
}

export function importNir(doc: NirDocument, options: ImportOptions): NirModel {
  const resolved = resolveOptions(options);
  const flat = flattenGraph(doc.graph);
  const schedule = scheduleGraph(flat);
  const b = new GraphBuilder();
  const params: Record<string, Float32Array> = Object.create(null);
  const contextOf = (name: string): NodeContext => ({
    b,
    name,
    options: resolved,
    param: (field: string, array: NirArray) => {
      const t = b.scope(name, () => b.param(field, array.shape, { kind: 'zeros' }));
      params[`${name}/${field}`] = toF32(array);
      return t;
    },
    constant: (field: string, shape: readonly number[], values: ArrayLike<number>) => {
      const one = uniformValue(values);
      return b.scope(name, () => (one !== undefined ? b.constant(one) : b.constant(Array.from(values), shape)));
    },
  });
  const prepared = new Map<string, Prepared>();
  for (const [name, node] of flat.nodes) prepared.set(name, prepare(contextOf(name), node, flat.inner.has(name)));

  const values = new Map<string, Tensor>();
  for (const [name, node] of flat.nodes) {
    if (node.type === 'Input' && !flat.inner.has(name)) values.set(name, b.input(name, [resolved.steps, resolved.batch, ...node.shape]));
  }
  for (const stage of schedule.stages) runStage(b, flat, schedule, prepared, values, stage, resolved);

  const outputs: Record<string, Tensor> = Object.create(null);
  for (const [name, node] of flat.nodes) if (node.type === 'Output' && !flat.inner.has(name)) outputs[name] = values.get(name)!;
  const neuronOutputs = [...flat.nodes].filter(([, n]) => NEURONS.has(n.type)).map(([k]) => k);
  for (const name of neuronOutputs) outputs[name] = values.get(name)!;
  if (resolved.potentials) for (const name of neuronOutputs) outputs[`${name}/v`] = values.get(`${name}/v`)!;
  if (Object.keys(outputs).length === 0) fail('interface', 'graph', 'the NIR graph has no Output node and no neuron, so it computes nothing');
  return { graph: b.finish(outputs), params, neuronOutputs, source: flat, version: doc.version, options: resolved };
}

/** Sums `parts` in order (NIR sums every edge arriving at a node). */
function sum(parts: readonly Tensor[]): Tensor {
  return parts.slice(1).reduce((acc, t) => acc.add(t), parts[0]!);
}

function incoming(flat: FlatGraph, name: string): number[] {
  return flat.edges.flatMap(([, to], i) => (to === name ? [i] : []));
}

function noInput(name: string): never {
  return fail('missing-node', name, `the NIR node '${name}' has no incoming edge, so its input is undefined`);
}

/** A node outside any cycle applied to whole sequences `[T, B, ...]`: time folded into the batch. */
function applyToSequence(b: GraphBuilder, node: Prepared, x: Tensor): Tensor {
  if (node.kind === 'identity') return x;
  if (node.kind === 'delay') return node.shift(b, x);
  if (node.kind !== 'map') throw new Error(`internal: a ${node.kind} node is not applied to a whole sequence`);
  const [T, B] = x.shape as [number, number];
  const y = node.apply(x.reshape([T * B, ...x.shape.slice(2)]));
  return y.reshape([T, B, ...y.shape.slice(1)]);
}

function runStage(b: GraphBuilder, flat: FlatGraph, schedule: Schedule, prepared: ReadonlyMap<string, Prepared>, values: Map<string, Tensor>, stage: readonly string[], options: ResolvedOptions): void {
  const first = stage[0]!;
  const node = prepared.get(first)!;
  const selfLoop = flat.edges.some(([from, to]) => from === first && to === first);
  if (stage.length === 1 && !selfLoop && node.kind !== 'neuron') {
    if (node.kind === 'input') return;
    const edges = incoming(flat, first);
    if (edges.length === 0) noInput(first);
    values.set(first, b.scope(first, () => applyToSequence(b, node, sum(edges.map((e) => values.get(flat.edges[e]![0])!)))));
    return;
  }
  runScanStage(b, flat, schedule, prepared, values, stage, options);
}

/**
 * Nodes that step together (a cycle, or one neuron) as ONE scan over time. Carries: each
 * neuron's state, then the previous step's output of each node whose edge closes the cycle
 * (zero at t = 0). Sequences: the outputs of earlier stages feeding this one. Outputs: every
 * member's value at every step.
 */
function runScanStage(b: GraphBuilder, flat: FlatGraph, schedule: Schedule, prepared: ReadonlyMap<string, Prepared>, values: Map<string, Tensor>, stage: readonly string[], options: ResolvedOptions): void {
  const members = new Set(stage);
  const { batch } = options;
  for (const name of stage) {
    const p = prepared.get(name)!;
    if (p.kind === 'delay') fail('attr', name, 'a Delay inside a cycle is not supported; the importer delays whole sequences only');
    if (p.kind === 'input') throw new Error(`internal: the Input node '${name}' is on a cycle`);
  }
  const external = [...new Set(stage.flatMap((name) => incoming(flat, name).map((e) => flat.edges[e]![0]).filter((from) => !members.has(from))))];
  const fedBack = [...new Set([...schedule.backEdges].map((e) => flat.edges[e]!).filter(([, to]) => members.has(to)).map(([from]) => from))];
  const neurons = stage.filter((name) => prepared.get(name)!.kind === 'neuron');
  const stateNames = neurons.map((name) => Object.keys((prepared.get(name) as SteppedNeuron).initial(b, batch)));
  const initialCarries = neurons.flatMap((name, k) => {
    const init = (prepared.get(name) as SteppedNeuron).initial(b, batch);
    return stateNames[k]!.map((s) => init[s]!);
  });
  const feedbackInit = fedBack.map((name) => b.constant(0, [batch, ...feedbackShape(name, flat.nodes.get(name)!, prepared.get(name)!)]));
  const scopeName = stage.length === 1 ? first(stage) : `cycle(${stage.join(',')})`;
  const { outputs } = b.scope(scopeName, () =>
    b.scan({
      carries: [...initialCarries, ...feedbackInit],
      sequences: external.map((name) => values.get(name)!),
      body: (bb, carried, slices) => {
        const now = new Map<string, Tensor>();
        const nextState: Tensor[] = [];
        const potentials: Tensor[] = [];
        let carry = 0;
        for (const name of stage) {
          const edges = incoming(flat, name);
          if (edges.length === 0) noInput(name);
          const parts = edges.map((e) => {
            const from = flat.edges[e]![0];
            if (!members.has(from)) return slices[external.indexOf(from)]!;
            if (schedule.backEdges.has(e)) return carried[initialCarries.length + fedBack.indexOf(from)]!;
            return now.get(from)!;
          });
          const x = sum(parts);
          const p = prepared.get(name)!;
          if (p.kind === 'neuron') {
            const names = stateNames[neurons.indexOf(name)]!;
            const state = Object.fromEntries(names.map((s, k) => [s, carried[carry + k]!]));
            carry += names.length;
            // The step's params are outer constants: owned here, they become inputs of the scan body.
            const params = Object.fromEntries(Object.entries(p.params).map(([k, t]) => [k, bb.own(t)]));
            const step = p.neuron.step(bb, state, x, { attrs: p.attrs, params });
            for (const s of names) nextState.push(step.state[s]!);
            potentials.push(step.state.v!);
            now.set(name, step.output);
          } else if (p.kind === 'map') now.set(name, p.apply(x));
          else now.set(name, x);
        }
        for (const name of fedBack) {
          const value = now.get(name)!;
          const expected = [batch, ...feedbackShape(name, flat.nodes.get(name)!, prepared.get(name)!)];
          if (formatShape(value.shape) !== formatShape(expected)) fail('shape', name, 'the value fed back to the next step has a different shape than its node declares', formatShape(expected), formatShape(value.shape));
        }
        return { carries: [...nextState, ...fedBack.map((name) => now.get(name)!)], outputs: [...stage.map((name) => now.get(name)!), ...(options.potentials ? potentials : [])] };
      },
    }),
  );
  stage.forEach((name, k) => values.set(name, outputs[k]!));
  if (options.potentials) neurons.forEach((name, k) => values.set(`${name}/v`, outputs[stage.length + k]!));
}

function first(stage: readonly string[]): string {
  return stage[0]!;
}
