import type { DType } from '../dtype.js';
import type { NodeId } from '../graph.js';
import { type Shape, type TensorType, type ValueType } from '../types.js';
import type { GraphBuilder, SurrogateChoice, TensorLike } from './builder.js';
export interface ConvOptions<P> {
    readonly stride?: P;
    readonly padding?: number | readonly [number, number] | readonly [readonly [number, number], readonly [number, number]];
    readonly dilation?: P;
    readonly groups?: number;
}
/**
 * A symbolic tensor during tracing: a node of a GraphBuilder with chainable methods. Methods
 * add nodes; nothing is computed until the graph is evaluated or compiled.
 */
export declare class Tensor {
    readonly builder: GraphBuilder;
    readonly id: NodeId;
    constructor(builder: GraphBuilder, id: NodeId);
    get type(): ValueType;
    /** The tensor type; rejects a tuple (read its elements with `get`). */
    get tensorType(): TensorType;
    get shape(): Shape;
    get dtype(): DType;
    get rank(): number;
    /** Element `index` of a tuple-valued node (scan, customVjp). */
    get(index: number): Tensor;
    private unary;
    private binary;
    private reduce;
    neg(): Tensor;
    abs(): Tensor;
    sign(): Tensor;
    exp(): Tensor;
    log(): Tensor;
    sqrt(): Tensor;
    rsqrt(): Tensor;
    reciprocal(): Tensor;
    sin(): Tensor;
    cos(): Tensor;
    tanh(): Tensor;
    sigmoid(): Tensor;
    floor(): Tensor;
    ceil(): Tensor;
    round(): Tensor;
    logicalNot(): Tensor;
    /** max(x, 0), with derivative 0 at x = 0 as in PyTorch and JAX (a `maximum` would split the tie). */
    relu(): Tensor;
    add(o: TensorLike): Tensor;
    sub(o: TensorLike): Tensor;
    mul(o: TensorLike): Tensor;
    div(o: TensorLike): Tensor;
    pow(o: TensorLike): Tensor;
    maximum(o: TensorLike): Tensor;
    minimum(o: TensorLike): Tensor;
    less(o: TensorLike): Tensor;
    lessEqual(o: TensorLike): Tensor;
    greater(o: TensorLike): Tensor;
    greaterEqual(o: TensorLike): Tensor;
    equal(o: TensorLike): Tensor;
    notEqual(o: TensorLike): Tensor;
    logicalAnd(o: TensorLike): Tensor;
    logicalOr(o: TensorLike): Tensor;
    cast(dtype: DType): Tensor;
    /** Heaviside step (1 where x >= 0) whose gradient is the chosen surrogate (default atan, a = 2). */
    spike(surrogate?: SurrogateChoice): Tensor;
    stopGradient(): Tensor;
    sum(axes?: number | readonly number[], keepDims?: boolean): Tensor;
    max(axes?: number | readonly number[], keepDims?: boolean): Tensor;
    mean(axes?: number | readonly number[], keepDims?: boolean): Tensor;
    /** One entry may be -1: it is inferred from the size. */
    reshape(shape: Shape): Tensor;
    /** Permutes axes; reverses them when `perm` is omitted. */
    transpose(perm?: readonly number[]): Tensor;
    broadcastTo(shape: Shape): Tensor;
    /**
     * Python-style slicing per leading axis: negative indices count from the end and are clamped.
     * Axes not given are kept whole.
     */
    slice(starts: readonly number[], ends?: readonly (number | undefined)[], steps?: readonly number[]): Tensor;
    /** Pads each axis with [before, after] copies of `value`. */
    pad(pads: readonly (readonly [number, number])[], value?: number): Tensor;
    gather(indices: Tensor, axis?: number): Tensor;
    oneHot(depth: number): Tensor;
    matmul(other: Tensor, options?: {
        transposeA?: boolean;
        transposeB?: boolean;
    }): Tensor;
    conv1d(w: Tensor, options?: ConvOptions<number>): Tensor;
    conv2d(w: Tensor, options?: ConvOptions<number | readonly [number, number]>): Tensor;
}
