import { broadcastShapes, sizeOf, type DType, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import type { Rng } from './rng.js';
import { value, type Value } from './value.js';

/** One fed input of a generated graph: values are drawn from [lo, hi] on a grid of `step`, so they are exact in f32. */
export interface FeedSpec {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
  readonly lo: number;
  readonly hi: number;
  readonly step: number;
}

/** Generated tensors stay small: the CPU reference and the pack's memory both scale with them. */
export const MAX_ELEMENTS = 512;
/** Values wider than this are scaled down by a power of two (exact) before the next op. */
const TAME_BOUND = 8;
const DIMS = [1, 1, 2, 3, 4, 5, 7, 8, 16];

/** What one graph (and every scan body inside it) shares while it is generated. */
export interface GraphState {
  readonly seed: number;
  readonly root: GraphBuilder;
  readonly feeds: FeedSpec[];
  /** Gradient graphs: kinked ops (abs, maximum, minimum, max) take exact operands, so no tie flips a gradient. */
  readonly gradSafe: boolean;
  scanDepth: number;
}

/** The builder being traced (the graph or a scan body) and the values its ops may use. */
export class GenContext {
  constructor(
    readonly rng: Rng,
    readonly b: GraphBuilder,
    readonly state: GraphState,
    readonly pool: Value[],
  ) {}

  /** The tensor of `v` in this builder (an outer tensor is captured into a scan body). */
  own(v: Value): Tensor {
    return this.b.own(v.t);
  }

  push(v: Value): Value {
    this.pool.push(v);
    return v;
  }

  /** A random value satisfying `ok`, favouring recent ones (so graphs grow deep, not only wide). */
  pick(ok: (v: Value) => boolean): Value | undefined {
    const candidates = this.pool.filter(ok);
    if (candidates.length === 0) return undefined;
    if (this.rng.chance(0.6)) return candidates[candidates.length - 1 - this.rng.int(0, Math.min(2, candidates.length - 1))];
    return this.rng.pick(candidates);
  }

  pickFloat(exact = false): Value | undefined {
    return this.pick((v) => v.t.dtype === 'f32' && (!exact || v.exact));
  }

  /** A new graph input (declared on the graph itself, captured where a body uses it). */
  input(shape: Shape, dtype: DType = 'f32', range?: readonly [number, number]): Value {
    const name = `g${this.state.seed}/x${this.state.feeds.length}`;
    const t = this.state.root.input(name, shape, dtype);
    if (dtype === 'f32') {
      const r = this.rng.pick([1, 2, 4]);
      const [lo, hi] = range ?? [-r, r];
      this.state.feeds.push({ name, shape, dtype, lo, hi, step: 1 / 16 });
      return this.push(value(t, Math.max(Math.abs(lo), Math.abs(hi)), true, 4));
    }
    const [lo, hi] = range ?? (dtype === 'u32' ? [0, 9] : [-9, 9]);
    this.state.feeds.push({ name, shape, dtype, lo, hi, step: 1 });
    return this.push(value(t, Math.max(Math.abs(lo), Math.abs(hi)), true, 0));
  }

  randomShape(maxRank = 4): number[] {
    const rank = this.rng.int(0, maxRank);
    const shape: number[] = [];
    for (let i = 0; i < rank; i++) {
      const d = this.rng.pick(DIMS);
      if (sizeOf(shape) * d <= MAX_ELEMENTS / 2) shape.push(d);
      else shape.push(1);
    }
    return shape;
  }

  /** A shape that broadcasts with `shape`: some axes set to 1, maybe leading axes dropped. */
  compatibleShape(shape: Shape): number[] {
    const drop = this.rng.chance(0.3) ? this.rng.int(0, shape.length) : 0;
    return shape.slice(drop).map((d) => (this.rng.chance(0.3) ? 1 : d));
  }

  /** An f32 operand that broadcasts with `a` (the result staying small): from the pool, a scalar constant or a new input. */
  partnerOf(a: Value, exact: boolean): Value {
    const fits = (v: Value) => {
      const s = broadcastShapes(v.t.shape, a.t.shape);
      return s !== undefined && sizeOf(s) <= MAX_ELEMENTS;
    };
    const roll = this.rng.float();
    const fromPool = roll < 0.6 ? this.pick((v) => v !== a && v.t.dtype === 'f32' && (!exact || v.exact) && fits(v)) : undefined;
    if (fromPool !== undefined) return fromPool;
    if (roll < 0.8) {
      const c = this.rng.int(-16, 16) / 8;
      return value(this.b.constant(c), Math.abs(c), true, 3);
    }
    return this.input(this.compatibleShape(a.t.shape));
  }

  /** Scales a wide value by a power of two (exact) so that |x| <= TAME_BOUND. */
  tame(v: Value): Value {
    if (v.bound <= TAME_BOUND || v.t.dtype !== 'f32') return v;
    const k = Math.ceil(Math.log2(v.bound / TAME_BOUND));
    return this.push(value(this.own(v).mul(2 ** -k), v.bound * 2 ** -k, v.exact, v.bits + k));
  }
}
