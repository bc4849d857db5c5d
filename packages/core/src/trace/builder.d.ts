import type { DType } from '../dtype.js';
import { type Graph, type Node, type NodeId } from '../graph.js';
import type { Initializer, Primitive, PrimitiveAttrs } from '../primitives.js';
import { type Surrogate, type SurrogateName } from '../surrogate.js';
import { type Shape, type TensorType, type ValueType } from '../types.js';
import { Tensor } from './tensor.js';
export type TensorLike = Tensor | number;
/** A user surrogate: a named family (with its parameter) or a derivative g'(x) traced from primitives. */
export type SurrogateChoice = SurrogateName | {
    readonly kind: SurrogateName;
    readonly alpha?: number;
} | {
    readonly derivative: (b: GraphBuilder, x: Tensor) => Tensor;
};
export interface ScanOptions {
    /** Steps; defaults to the length of axis 0 of the sequences. */
    readonly length?: number;
    readonly carries: readonly Tensor[];
    readonly sequences?: readonly Tensor[];
    readonly consts?: readonly Tensor[];
    readonly reverse?: boolean;
    /** One step: from the carries, this step's slices and the constants, the new carries and per-step outputs. */
    readonly body: (b: GraphBuilder, carries: Tensor[], slices: Tensor[], consts: Tensor[]) => {
        readonly carries: readonly Tensor[];
        readonly outputs?: readonly Tensor[];
    };
}
export interface ScanResult {
    /** Final carries. */
    readonly carries: Tensor[];
    /** Per-step outputs stacked along a new axis 0 (time). */
    readonly outputs: Tensor[];
}
export interface CustomVjpOptions {
    readonly forward: (b: GraphBuilder, inputs: Tensor[]) => {
        readonly outputs: readonly Tensor[];
        readonly residuals?: readonly Tensor[];
    };
    /** From the residuals and one cotangent per output, one cotangent per input. */
    readonly backward: (b: GraphBuilder, residuals: Tensor[], cotangents: Tensor[]) => readonly Tensor[];
}
/**
 * Records primitive applications into a graph while user code runs over symbolic tensors,
 * as JAX traces Python. Every node's type is inferred (and bad shapes rejected) the moment it is
 * added, with the current scope path in the error.
 */
export declare class GraphBuilder {
    /** The builder this one traces a subgraph for; tensors of ancestors are captured as inputs. */
    private readonly parent?;
    private readonly allowCapture;
    private readonly nodes;
    private readonly inputIds;
    private readonly paramIds;
    private readonly stateBindings;
    private readonly scopes;
    private readonly usedNames;
    private nextId;
    /** Outer tensors captured by a subgraph (scan body): outer tensor id -> inner input. */
    private readonly captures;
    constructor(scopes?: readonly string[], 
    /** The builder this one traces a subgraph for; tensors of ancestors are captured as inputs. */
    parent?: GraphBuilder | undefined, allowCapture?: boolean);
    /** Runs `fn` with `name` pushed on the scope path, so its nodes are named `.../name/...`. */
    scope<T>(name: string, fn: () => T): T;
    /** Runs `fn` under a whole scope path such as `grad/layer1/matmul` (transforms name nodes after their source). */
    scopePath<T>(path: string, fn: () => T): T;
    /** Current scope path. */
    path(): string;
    private uniqueName;
    /** Adds one primitive application; its type is inferred now, so errors name this node. */
    op<P extends Primitive>(op: P, inputs: readonly TensorLike[], attrs: PrimitiveAttrs[P], label?: string): Tensor;
    private addNode;
    /** The node behind a tensor of this builder. */
    nodeOf(id: NodeId): Node;
    typeOf(id: NodeId): ValueType;
    /** A number becomes a scalar constant of the dtype of the other operands (f32 when none). */
    private toTensor;
    /** A tensor of this builder; one of an ancestor's is captured as an extra subgraph input. */
    own(t: Tensor): Tensor;
    private isDescendantOf;
    /** Interface names must be unique per kind, or feeds would be ambiguous. */
    private expectNewLeafName;
    input(name: string, shape: Shape, dtype?: DType): Tensor;
    param(name: string, shape: Shape, init: Initializer, dtype?: DType): Tensor;
    /** State carried between calls; give its next value with `setState`. Unset, it keeps its value. */
    state(name: string, shape: Shape, init?: Initializer, dtype?: DType): Tensor;
    setState(state: Tensor, next: Tensor): void;
    /** Param and state names carry their scope, so two layers may both have a `w`. */
    private qualified;
    constant(value: number | readonly number[], shape?: Shape, dtype?: DType): Tensor;
    where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor;
    concat(tensors: readonly Tensor[], axis: number): Tensor;
    private counter;
    uniform(shape: Shape, seed: number, counter?: Tensor | number): Tensor;
    normal(shape: Shape, seed: number, counter?: Tensor | number): Tensor;
    bernoulli(p: TensorLike, shape: Shape, seed: number, counter?: Tensor | number): Tensor;
    /** Resolves a surrogate choice into the JSON attr of `spike`, tracing a custom derivative. */
    surrogate(choice: SurrogateChoice, x: TensorType): Surrogate;
    /** `jax.lax.scan`: the body is traced once into a subgraph; outer tensors it uses are captured. */
    scan(options: ScanOptions): ScanResult;
    /** A forward computation with a user-written backward (JAX's custom_vjp). Returns the outputs. */
    customVjp(inputs: readonly Tensor[], options: CustomVjpOptions): Tensor[];
    /** Freezes what was traced into a graph with these named outputs (in order). */
    finish(outputs: Readonly<Record<string, Tensor>>): Graph;
}
/** Traces `fn` over symbolic tensors into a frozen graph. */
export declare function trace(fn: (b: GraphBuilder) => Readonly<Record<string, Tensor>>): Graph;
