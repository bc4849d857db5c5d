import type { NamedFeeds, Runner, StepRunner, TrainBackend } from '../backend.js';
import { fail } from '../errors.js';
import { leafName, nodeAs, type Graph } from '../graph.js';
import { toArray, type HostTensor, type Precision } from '../host-tensor.js';
import { initialValue, initParams } from '../init.js';
import type { TensorType } from '../types.js';
import { feedToHostTensor } from '../feed-check.js';
import { evaluate } from './evaluate.js';

export interface CpuBackendOptions {
  /** `f64` for finite-difference checks; `f32` (default) rounds as a GPU does. */
  readonly precision?: Precision;
  /** Reject the first node that produces a NaN, naming it. */
  readonly checkNaN?: boolean;
}

type Leaves = Record<string, HostTensor>;

function leafTypes(graph: Graph, ids: readonly string[]): Map<string, TensorType> {
  return new Map(ids.map((id) => [leafName(graph.nodes[id]!), graph.nodes[id]!.type as TensorType]));
}

/** Checks every value before replacing any: a bad call changes nothing. */
function replaced(current: Leaves, values: NamedFeeds, types: Map<string, TensorType>, kind: 'params' | 'state', precision: Precision): Leaves {
  const next = { ...current };
  for (const [name, value] of Object.entries(values)) {
    const type = types.get(name);
    if (type === undefined) fail('feed', `${kind}.${name}`, `the graph has no ${kind === 'params' ? 'param' : 'state'} of this name`, [...types.keys()].join(', ') || 'none', name);
    next[name] = feedToHostTensor(value, type, `${kind}.${name}`, precision);
  }
  return next;
}

const copy = (t: HostTensor): HostTensor => ({ type: t.type, data: t.data.slice() });

/**
 * A graph on the CPU reference interpreter with its params and state kept host-side between
 * calls, as a GPU executable keeps them on the device; it serves as both a step runner and a
 * forward runner.
 */
class CpuRunner implements StepRunner, Runner {
  private params: Leaves;
  private state: Leaves = {};
  private readonly paramTypes: Map<string, TensorType>;
  private readonly stateTypes: Map<string, TensorType>;

  constructor(
    private readonly graph: Graph,
    private readonly seed: number,
    private readonly loss: string | undefined,
    private readonly options: CpuBackendOptions,
  ) {
    this.paramTypes = leafTypes(graph, graph.params);
    this.stateTypes = leafTypes(graph, graph.state.map((s) => s.node));
    this.params = initParams(graph, { seed, precision: this.precision });
    this.resetState();
  }

  private get precision(): Precision {
    return this.options.precision ?? 'f32';
  }

  /** One call; the state moves on only when the whole call succeeded. */
  private call(inputs: NamedFeeds): Leaves {
    const out = evaluate(this.graph, { inputs, params: this.params, state: this.state }, { precision: this.precision, checkNaN: this.options.checkNaN ?? false });
    this.state = { ...out.state };
    return { ...out.outputs };
  }

  step(inputs: NamedFeeds): void {
    this.call(inputs);
  }

  async stepWithLoss(inputs: NamedFeeds): Promise<number> {
    return toArray(this.call(inputs)[this.loss ?? 'loss']!)[0]!;
  }

  async run(inputs: NamedFeeds): Promise<Record<string, HostTensor>> {
    return this.call(inputs);
  }

  async readState(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    const wanted = names ?? [...this.stateTypes.keys()];
    for (const name of wanted) if (!this.stateTypes.has(name)) fail('feed', `state.${name}`, 'the graph has no state of this name', [...this.stateTypes.keys()].join(', ') || 'none', name);
    return Object.fromEntries(wanted.map((name) => [name, copy(this.state[name]!)]));
  }

  setState(values: NamedFeeds): void {
    this.state = replaced(this.state, values, this.stateTypes, 'state', this.precision);
  }

  setParams(values: NamedFeeds): void {
    this.params = replaced(this.params, values, this.paramTypes, 'params', this.precision);
  }

  resetState(): void {
    const state: Leaves = {};
    for (const s of this.graph.state) {
      const node = nodeAs(this.graph, s.node, 'state');
      const name = node.attrs.name;
      state[name] = initialValue(node.attrs.init, node.type as TensorType, this.precision, name, this.seed);
    }
    this.state = state;
  }

  /** Nothing to free: host arrays are garbage-collected. */
  destroy(): void {}
}

/** The CPU reference interpreter as a training backend: correct everywhere, slow. */
export function cpuBackend(options: CpuBackendOptions = {}): TrainBackend {
  return {
    name: 'cpu',
    compileTrainStep: async (graph, { seed = 0, loss = 'loss' } = {}) => {
      if (!graph.outputs.some((o) => o.name === loss)) fail('interface', 'loss', `the training graph has no output named '${loss}'`, graph.outputs.map((o) => o.name).join(', '), loss);
      return new CpuRunner(graph, seed, loss, options);
    },
    compile: async (graph, { seed = 0 } = {}) => new CpuRunner(graph, seed, undefined, options),
  };
}
