import { afterAll, describe, expect, it } from 'vitest';
import { evaluate, tensor, toArray, trace, type GraphBuilder, type Shape, type Tensor } from '@spikeflow/core';
import { grad } from '../src/index.js';
import { gradCheck } from './support/grad-check.js';

interface Case {
  readonly name: string;
  readonly shapes: readonly Shape[];
  readonly fn: (b: GraphBuilder, xs: Tensor[]) => Tensor;
}

const CASES: readonly Case[] = [
  { name: 'reshape [2,3,4] -> [4,6]', shapes: [[2, 3, 4]], fn: (_, [x]) => x!.reshape([4, 6]) },
  // A 3-cycle is not its own inverse, so a wrong inverse permutation would show.
  { name: 'transpose perm [2,0,1]', shapes: [[2, 3, 4]], fn: (_, [x]) => x!.transpose([2, 0, 1]) },
  { name: 'broadcast [3,1] -> [2,3,4]', shapes: [[3, 1]], fn: (_, [x]) => x!.broadcastTo([2, 3, 4]) },
  // Axis 0 takes 1,3,5 (drops 6); axis 1 takes 0,3,6 (drops 7,8).
  { name: 'slice steps [2,3] with dropped tails', shapes: [[7, 9]], fn: (_, [x]) => x!.slice([1, 0], [7, 9], [2, 3]) },
  // Axis 0 takes 0,4; axis 1 takes 1,3; axis 2 a single element (step 5 > remaining length 4).
  { name: 'slice steps [4,2,5] on three axes', shapes: [[5, 4, 6]], fn: (_, [x]) => x!.slice([0, 1, 2], [5, 4, 6], [4, 2, 5]) },
  // Python-style: rows 2..4, columns 2 and 4.
  { name: 'slice negative starts and end', shapes: [[5, 6]], fn: (_, [x]) => x!.slice([-3, -4], [undefined, -1], [1, 2]) },
  { name: 'concat of three along axis -1', shapes: [[2, 3], [2, 1], [2, 4]], fn: (b, xs) => b.concat(xs, -1) },
  { name: 'concat of three along a middle axis', shapes: [[2, 1, 3], [2, 2, 3], [2, 3, 3]], fn: (b, xs) => b.concat(xs, 1) },
  { name: 'pad asymmetric [[1,2],[0,3]] with value 0.5', shapes: [[2, 3]], fn: (_, [x]) => x!.pad([[1, 2], [0, 3]], 0.5) },
  { name: 'gather axis 0, repeated indices', shapes: [[4, 3]], fn: (b, [x]) => x!.gather(b.constant([3, 0, 3, 3, 1], [5], 'i32'), 0) },
  { name: 'gather axis 1, 2-D repeated indices', shapes: [[2, 5, 3]], fn: (b, [x]) => x!.gather(b.constant([4, 4, 0, 2], [2, 2], 'i32'), 1) },
  // A scalar index drops the axis: out [2, 3].
  { name: 'gather axis 1, scalar index', shapes: [[2, 4, 3]], fn: (b, [x]) => x!.gather(b.constant(2, [], 'i32'), 1) },
  { name: 'gather axis -1, u32 indices', shapes: [[3, 4]], fn: (b, [x]) => x!.gather(b.constant([2, 2, 1], [3], 'u32'), -1) },
  // oneHot is non-differentiable; the product still differentiates through x.
  { name: 'x * oneHot(indices)', shapes: [[3, 4]], fn: (b, [x]) => x!.mul(b.constant([1, 3, 3], [3], 'i32').oneHot(4)) },
];

/** Case name -> measured max relative error, printed in the test output. */
const measured = new Map<string, number>();
afterAll(() => console.log(`shape VJP max relative errors vs finite differences:\n${[...measured].map(([n, e]) => `  ${n}: ${e.toExponential(2)}`).join('\n')}`));

describe('shape VJPs against finite differences', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const { maxRelError } = gradCheck(c.fn, c.shapes);
      measured.set(c.name, maxRelError);
      expect(maxRelError).toBeLessThan(1e-6);
    });
  }
});

/** d/dx of sum(fn(x)) for a rank-1 x, evaluated in f64. */
function gradOfSum(values: readonly number[], fn: (b: GraphBuilder, x: Tensor) => Tensor): number[] {
  const forward = trace((b) => ({ loss: fn(b, b.input('x', [values.length])).sum() }));
  const out = evaluate(grad(forward, { of: 'loss', wrt: ['x'] }), { inputs: { x: tensor([values.length], values, 'f32', 'f64') } }, { precision: 'f64' });
  return toArray(out.outputs['grad/x']!);
}

describe('shape VJPs worked by hand', () => {
  it('gather with repeated indices accumulates the cotangent', () => {
    // sum(x[[1, 1, 0, 1]]) = x0 + 3·x1, so d/dx = [1, 3, 0].
    expect(gradOfSum([0.5, -2, 7], (b, x) => x.gather(b.constant([1, 1, 0, 1], [4], 'i32')))).toEqual([1, 3, 0]);
  });

  it('a strided slice passes the cotangent to the sampled positions only', () => {
    // x[1:5:2] = [x1, x3]; the step-2 interleave must not leak into x0, x2 or x4.
    expect(gradOfSum([1, 2, 3, 4, 5], (_, x) => x.slice([1], [5], [2]))).toEqual([0, 1, 0, 1, 0]);
  });
});
