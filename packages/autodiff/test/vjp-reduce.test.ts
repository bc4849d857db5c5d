import { afterAll, describe, expect, it } from 'vitest';
import { REDUCE_OPS, sizeOf, type ReduceOp, type Shape, type Tensor } from '@spikeflow/core';
import { distinctValues } from './support/distinct-values.js';
import { gradCheck } from './support/grad-check.js';
import { gradients } from './support/grad-values.js';

const SHAPE: Shape = [2, 3, 4];

/** Axes as a user writes them (Tensor normalizes them) or raw in the attrs, as a JSON graph may. */
const AXES: readonly { name: string; axes?: number | readonly number[]; keepDims: boolean; raw?: boolean }[] = [
  { name: 'axes [0,2]', axes: [0, 2], keepDims: false },
  { name: 'axes [0,2] keepDims', axes: [0, 2], keepDims: true },
  { name: 'axis -1', axes: -1, keepDims: false },
  { name: 'axes [-2,0] keepDims', axes: [-2, 0], keepDims: true },
  { name: 'all axes', keepDims: false },
  { name: 'all axes keepDims', keepDims: true },
  { name: 'no axes (identity)', axes: [], keepDims: false },
  { name: 'raw attr axes [-1,-3]', axes: [-1, -3], keepDims: false, raw: true },
];

function reduce(op: ReduceOp, x: Tensor, c: (typeof AXES)[number]): Tensor {
  if (c.raw) return x.builder.op(op, [x], { axes: [...(c.axes as readonly number[])], keepDims: c.keepDims });
  return x[op](c.axes, c.keepDims);
}

const measured: string[] = [];
afterAll(() => console.log(`reduction VJP max relative errors vs finite differences:\n${measured.join('\n')}`));

describe('reduction VJPs against finite differences', () => {
  for (const op of REDUCE_OPS) {
    for (const c of AXES) {
      it(`${op} ${c.name}`, () => {
        // Distinct values: the argmax of every group is unique and stays so under the FD step.
        const { maxRelError } = gradCheck((_, [x]) => reduce(op, x!, c), [SHAPE], { values: [distinctValues(sizeOf(SHAPE))] });
        measured.push(`  ${op} ${c.name}: ${maxRelError.toExponential(2)}`);
        expect(maxRelError).toBeLessThan(1e-6);
      });
    }
  }
});

describe('reduction VJPs worked by hand', () => {
  it('max splits the cotangent evenly among tied maxima', () => {
    // Row 0 = [1, 5, 5]: max 5, tied twice, cotangent 1 -> 1/2 each.
    // Row 1 = [2, 2, 2]: max 2, tied three times, cotangent 6 -> 6/3 = 2 each.
    const g = gradients({ x: { shape: [2, 3], values: [1, 5, 5, 2, 2, 2] } }, (b, v) => v.x!.max(-1).mul(b.constant([1, 6], [2])).sum());
    expect(g.x).toEqual([0, 0.5, 0.5, 2, 2, 2]);
  });

  it('max with keepDims sends each column cotangent to its unique maximum', () => {
    // x = [[3, -1], [0, 4]]: column maxima 3 (row 0) and 4 (row 1); cotangents [2, 5].
    const g = gradients({ x: { shape: [2, 2], values: [3, -1, 0, 4] } }, (b, v) => v.x!.max(0, true).mul(b.constant([2, 5], [1, 2])).sum());
    expect(g.x).toEqual([2, 0, 0, 5]);
  });

  it('mean divides the cotangent by the reduced count', () => {
    // Means over 3 elements with cotangents [3, 6]: 3/3 = 1 and 6/3 = 2 per element.
    const g = gradients({ x: { shape: [2, 3], values: [1, 2, 3, 4, 5, 6] } }, (b, v) => v.x!.mean(1).mul(b.constant([3, 6], [2])).sum());
    expect(g.x).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('sum copies the cotangent along the reduced axis', () => {
    // Column sums with cotangents [1, 2]: every row gets [1, 2].
    const g = gradients({ x: { shape: [2, 2], values: [7, 8, 9, 10] } }, (b, v) => v.x!.sum(0).mul(b.constant([1, 2], [2])).sum());
    expect(g.x).toEqual([1, 2, 1, 2]);
  });
});
