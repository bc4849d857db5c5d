import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastShapes, evaluate, toArray, trace, type GraphBuilder, type Tensor } from '../src/index.js';

/** Shapes of rank 0..4 with dims 1..4. */
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Runs `fn` on x = 0, 1, 2, ... of `shape`; returns every output. */
function runOn(shape: readonly number[], fn: (x: Tensor, b: GraphBuilder) => Record<string, Tensor>) {
  const graph = trace((b) => fn(b.input('x', shape), b));
  return evaluate(graph, { inputs: { x: iota(size(shape)) } }, { precision: 'f64' }).outputs;
}

/** Row-major multi-index of flat index `i` (independent of the library's strides). */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return idx;
}

/** Row-major flat index of a multi-index (Horner's rule). */
const ravel = (idx: readonly number[], shape: readonly number[]) => idx.reduce((acc, d, k) => acc * shape[k]! + d, 0);

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let p = 2; n > 1; p++) while (n % p === 0) (out.push(p), (n /= p));
  return out;
}

/** A shape and a random factorization of its size into rank 0..4 (rank 0 only for size 1). */
const reshapeCase = shapeArb.chain((shape) => {
  const primes = primeFactors(size(shape));
  return fc.integer({ min: primes.length > 0 ? 1 : 0, max: 4 }).chain((rank) =>
    fc.array(fc.nat({ max: Math.max(rank - 1, 0) }), { minLength: primes.length, maxLength: primes.length }).map((slots) => {
      const target = new Array<number>(rank).fill(1);
      primes.forEach((p, i) => (target[slots[i]!]! *= p));
      return { shape, target };
    }),
  );
});

const transposeCase = shapeArb.chain((shape) =>
  fc.shuffledSubarray(iota(shape.length), { minLength: shape.length, maxLength: shape.length }).map((perm) => ({ shape, perm })),
);

/** Shapes that broadcast to `full`: some dims set to 1, some leading dims dropped. */
const broadcastableTo = (full: readonly number[]) =>
  fc
    .record({
      ones: fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      drop: fc.integer({ min: 0, max: full.length }),
    })
    .map(({ ones, drop }) => full.map((d, k) => (ones[k] ? 1 : d)).slice(drop));

const broadcastCase = shapeArb.chain((full) => broadcastableTo(full).map((from) => ({ full, from })));

describe('shape properties', () => {
  it('reshape to a factorization keeps size and order; reshaping back is the identity', () => {
    fc.assert(
      fc.property(reshapeCase, ({ shape, target }) => {
        const { y, back } = runOn(shape, (x) => {
          const y = x.reshape(target);
          return { y, back: y.reshape(shape) };
        });
        expect(y!.type.shape).toEqual(target);
        expect(toArray(y!)).toEqual(iota(size(shape)));
        expect(back!.type.shape).toEqual(shape);
        expect(toArray(back!)).toEqual(iota(size(shape)));
      }),
    );
  });

  it('transpose gives shape[perm[i]], y[j] = x[j permuted back], and the inverse perm undoes it', () => {
    fc.assert(
      fc.property(transposeCase, ({ shape, perm }) => {
        const inverse = new Array<number>(perm.length);
        perm.forEach((p, i) => (inverse[p] = i));
        const { y, back } = runOn(shape, (x) => {
          const y = x.transpose(perm);
          return { y, back: y.transpose(inverse) };
        });
        const outShape = perm.map((p) => shape[p]!);
        expect(y!.type.shape).toEqual(outShape);
        // y[j] = x[i] with i[perm[k]] = j[k]; x holds its own flat index.
        const expected = iota(size(shape)).map((flat) => {
          const j = unravel(flat, outShape);
          const i = new Array<number>(shape.length);
          perm.forEach((p, k) => (i[p] = j[k]!));
          return ravel(i, shape);
        });
        expect(toArray(y!)).toEqual(expected);
        expect(toArray(back!)).toEqual(iota(size(shape)));
      }),
    );
  });

  it('broadcast infers the full shape and reads the input at the broadcast index', () => {
    fc.assert(
      fc.property(broadcastCase, ({ full, from }) => {
        const { y } = runOn(from, (x) => ({ y: x.broadcastTo(full) }));
        expect(y!.type.shape).toEqual(full);
        const lead = full.length - from.length;
        const expected = iota(size(full)).map((flat) => {
          const j = unravel(flat, full);
          return ravel(from.map((d, k) => (d === 1 ? 0 : j[k + lead]!)), from);
        });
        expect(toArray(y!)).toEqual(expected);
      }),
    );
  });

  it('broadcastShapes is commutative', () => {
    // Independent shapes mostly clash; two shapes derived from one full shape always broadcast.
    const compatible = shapeArb.chain((full) => fc.tuple(broadcastableTo(full), broadcastableTo(full)));
    fc.assert(
      fc.property(fc.oneof(fc.tuple(shapeArb, shapeArb), compatible), ([a, b]) => {
        expect(broadcastShapes(a, b)).toEqual(broadcastShapes(b, a));
      }),
    );
  });
});
