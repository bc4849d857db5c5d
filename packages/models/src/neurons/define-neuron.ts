import { z } from 'zod';
import { fail, sameShape, type GraphBuilder, type Shape, type SurrogateChoice, type Tensor } from '@spikeflow/core';
import type { LayerDefinition } from '../spec/sequential.js';
import { validateLayerSpec } from '../spec/validate-spec.js';

/**
 * A neuron given once, as its single-step dynamics, becomes a multi-step layer: ONE `scan` whose
 * carries are the state variables. The CPU reference, the gradient (BPTT with the surrogate) and
 * the fused WGSL kernels then come from core, autodiff and webgpu; nothing here is per-neuron code.
 */

/** A state variable (a scan carry) and its value at t = 0: state is an edge, reset on every call. */
export interface StateVariable {
  readonly init: number;
}

/** A trainable parameter: one scalar shared by the layer (as PLIF's w), or one per neuron (last axis). */
export interface LearnableParam {
  readonly learnable: true;
  readonly init: number;
  readonly perNeuron: boolean;
}

export function learnable(init: number, options: { readonly perNeuron?: boolean } = {}): LearnableParam {
  return { learnable: true, init, perNeuron: options.perNeuron ?? false };
}

/** A number is a constant inlined into the step (a scalar literal of the kernel); the rest are learned. */
export type NeuronParam = number | LearnableParam;
export type NeuronParams = Readonly<Record<string, NeuronParam>>;

/** What a step sees of its params: constants stay numbers, learnable params are tensors. */
export type ParamValues<P extends NeuronParams> = { readonly [K in keyof P]: P[K] extends LearnableParam ? Tensor : number };

export type StateTensors<S extends string> = { readonly [K in S]: Tensor };

export interface StepContext<S extends string, P extends NeuronParams, A> {
  /** The builder the step is traced into (the scan body's when run over time). */
  readonly b: GraphBuilder;
  readonly state: StateTensors<S>;
  readonly input: Tensor;
  readonly params: ParamValues<P>;
  readonly attrs: A;
  /** Heaviside step (1 where x >= 0) whose gradient is the neuron's surrogate. */
  spike(x: Tensor): Tensor;
}

/** A spiking step returns its spikes; a non-spiking one (a readout) its output. */
export type StepResult<S extends string> = { readonly state: StateTensors<S> } & ({ readonly spike: Tensor } | { readonly output: Tensor });

/** Attrs of a neuron from the zod shape of its spec (with defaults filled in). */
export type AttrsOf<Sh extends z.ZodRawShape> = z.output<z.ZodObject<Sh>>;

/** A value fixed once, or derived from the attrs (a decay factor from dt and tau, a reset from V_reset). */
type FromAttrs<A, T> = T | ((attrs: A) => T);

export interface NeuronConfig<K extends string, Sh extends z.ZodRawShape, S extends string, P extends NeuronParams> {
  /** The layer kind in a spec, e.g. `alif`. */
  readonly kind: K;
  /**
   * The spec attrs as a zod shape with defaults: dt, time constants, thresholds, the reset rule.
   * A spec naming any other field is rejected, naming it.
   */
  readonly attrs?: Sh;
  readonly state: FromAttrs<AttrsOf<Sh>, { readonly [N in S]: StateVariable }>;
  readonly params?: FromAttrs<AttrsOf<Sh>, P>;
  /** The gradient of `spike` (default atan, a = 2). */
  readonly surrogate?: FromAttrs<AttrsOf<Sh>, SurrogateChoice>;
  step(ctx: StepContext<S, P, AttrsOf<Sh>>): StepResult<S>;
}

/** A layer spec of a neuron: plain JSON data, its kind and attrs. */
export type NeuronSpec<K extends string, A> = { readonly kind: K } & Readonly<A>;

export interface NeuronStep<S extends string> {
  readonly state: StateTensors<S>;
  /** The spikes (or a readout's value) of this step. */
  readonly output: Tensor;
}

export interface NeuronRun<S extends string> {
  /** Per-step outputs stacked over time, `[T, ...]`. */
  readonly output: Tensor;
  /** The state after the last step. */
  readonly state: StateTensors<S>;
}

export interface Neuron<K extends string, A, S extends string, P extends NeuronParams> {
  readonly kind: K;
  /** The layer spec for `sequential([...])`, defaults filled in; bad options throw naming the field. */
  layer(options?: Partial<A>): NeuronSpec<K, A>;
  /** Validation and build of the spec, for a layer library. */
  readonly definition: LayerDefinition<NeuronSpec<K, A>>;
  /** The multi-step layer over time-major `x` `[T, ...]`: ONE scan from the initial state. */
  run(b: GraphBuilder, x: Tensor, options?: Partial<A>): NeuronRun<S>;
  /** `run(...).output`. */
  apply(b: GraphBuilder, x: Tensor, options?: Partial<A>): Tensor;
  /** The state at t = 0 for neurons of `shape`, as constants. */
  initialState(b: GraphBuilder, shape: Shape, options?: Partial<A>): StateTensors<S>;
  /** The learnable params (created in the current scope) broadcast to `shape`, and the constants. */
  createParams(b: GraphBuilder, shape: Shape, options?: Partial<A>): ParamValues<P>;
  /**
   * One step, for a scan of one's own (e.g. with recurrent weights). Learnable params come from
   * `createParams`, called outside that scan.
   */
  step(b: GraphBuilder, state: StateTensors<S>, input: Tensor, options?: { readonly attrs?: Partial<A>; readonly params?: ParamValues<P> }): NeuronStep<S>;
}

function isLearnable(p: NeuronParam): p is LearnableParam {
  return typeof p !== 'number';
}

export function defineNeuron<K extends string, S extends string, P extends NeuronParams = Record<never, never>, Sh extends z.ZodRawShape = Record<never, never>>(
  config: NeuronConfig<K, Sh, S, P>,
): Neuron<K, AttrsOf<Sh>, S, P> {
  type A = AttrsOf<Sh>;
  const { kind } = config;
  const schema = z.strictObject({ kind: z.literal(kind), ...(config.attrs ?? ({} as Sh)) });
  const derived = <T>(value: FromAttrs<A, T>, attrs: A): T => (typeof value === 'function' ? (value as (a: A) => T)(attrs) : value);

  const resolve = (options: Partial<A> = {}): A => validateLayerSpec(schema, { ...options, kind }) as A;
  const stateOf = (attrs: A) => derived<{ readonly [N in S]: StateVariable }>(config.state, attrs);
  const paramsOf = (attrs: A): P => derived<P>(config.params ?? ({} as P), attrs);

  const initialFor = (b: GraphBuilder, shape: Shape, attrs: A): StateTensors<S> => {
    const vars = stateOf(attrs);
    return Object.fromEntries(Object.entries<StateVariable>(vars).map(([name, v]) => [name, b.constant(v.init, shape)])) as StateTensors<S>;
  };

  // Learnable params are broadcast to the neuron shape before the scan: their BPTT accumulator
  // then has the carries' shape, so the reverse scan stays elementwise (one fused kernel) and the
  // reduction to the param's own shape runs once, after it.
  const paramsFor = (b: GraphBuilder, shape: Shape, attrs: A): ParamValues<P> => {
    const entries = Object.entries<NeuronParam>(paramsOf(attrs)).map(([name, p]) => {
      if (!isLearnable(p)) return [name, p] as const;
      const own = p.perNeuron && shape.length > 0 ? [shape[shape.length - 1]!] : [];
      const param = b.param(name, own, { kind: 'fill', value: p.init });
      return [name, sameShape(own, shape) ? param : param.broadcastTo(shape)] as const;
    });
    return Object.fromEntries(entries) as ParamValues<P>;
  };

  const stepWith = (b: GraphBuilder, state: StateTensors<S>, input: Tensor, params: ParamValues<P>, attrs: A): NeuronStep<S> => {
    const surrogate = derived<SurrogateChoice>(config.surrogate ?? 'atan', attrs);
    const result = config.step({ b, state, input, params, attrs, spike: (x) => x.spike(surrogate) });
    for (const name of Object.keys(stateOf(attrs))) {
      if (!(name in result.state)) fail('interface', b.path(), `the step of neuron '${kind}' did not return state '${name}'`);
    }
    return { state: result.state, output: 'spike' in result ? result.spike : result.output };
  };

  const run = (b: GraphBuilder, x: Tensor, options: Partial<A> = {}): NeuronRun<S> => {
    const attrs = resolve(options);
    const shape = x.shape.slice(1);
    const params = paramsFor(b, shape, attrs);
    const initial = initialFor(b, shape, attrs);
    const names = Object.keys(initial) as S[];
    const learned = Object.keys(params).filter((name) => typeof params[name] !== 'number');
    const { carries, outputs } = b.scan({
      carries: names.map((n) => initial[n]),
      sequences: [x],
      consts: learned.map((n) => params[n] as Tensor),
      body: (bb, carried, [xt], consts) => {
        const state = Object.fromEntries(names.map((n, k) => [n, carried[k]!])) as StateTensors<S>;
        const inner = { ...params, ...Object.fromEntries(learned.map((n, k) => [n, consts[k]!])) } as ParamValues<P>;
        const next = stepWith(bb, state, xt!, inner, attrs);
        return { carries: names.map((n) => next.state[n]), outputs: [next.output] };
      },
    });
    return { output: outputs[0]!, state: Object.fromEntries(names.map((n, k) => [n, carries[k]!])) as StateTensors<S> };
  };

  return {
    kind,
    // The parsed attrs include `kind`, which the schema puts there.
    layer: (options) => resolve(options) as unknown as NeuronSpec<K, A>,
    definition: { schema: schema as unknown as z.ZodType<NeuronSpec<K, A>>, build: (b, x, spec) => run(b, x, spec).output },
    run,
    apply: (b, x, options) => run(b, x, options).output,
    initialState: (b, shape, options) => initialFor(b, shape, resolve(options)),
    createParams: (b, shape, options) => paramsFor(b, shape, resolve(options)),
    step: (b, state, input, options = {}) => {
      const attrs = resolve(options.attrs);
      const declared = paramsOf(attrs);
      const missing = Object.keys(declared).find((name) => isLearnable(declared[name]!) && options.params?.[name] === undefined);
      if (missing !== undefined) fail('interface', b.path(), `neuron '${kind}' needs its learnable param '${missing}'; create it with createParams outside the scan`);
      const constants = Object.fromEntries(Object.entries<NeuronParam>(declared).filter(([, p]) => !isLearnable(p)));
      return stepWith(b, state, input, { ...constants, ...options.params } as ParamValues<P>, attrs);
    },
  };
}
