import type { DType } from '../dtype.js';
import { fail } from '../errors.js';
import { broadcastShapes, formatShape, formatType, type Shape, type TensorType } from '../types.js';

/** Shared argument checks for infer rules; each failure names the node. */

export function expectArity<T>(inputs: readonly T[], count: number, where: string, op: string): void {
  if (inputs.length !== count) {
    fail('arity', where, `${op} takes ${count} input${count === 1 ? '' : 's'}`, `${count}`, `${inputs.length}`);
  }
}

export function expectMinArity<T>(inputs: readonly T[], count: number, where: string, op: string): void {
  if (inputs.length < count) fail('arity', where, `${op} takes at least ${count} inputs`, `>= ${count}`, `${inputs.length}`);
}

export function expectDType(t: TensorType, allowed: readonly DType[], where: string, what: string): void {
  if (!allowed.includes(t.dtype)) fail('dtype', where, `${what} has the wrong dtype`, allowed.join(' or '), t.dtype);
}

export function expectSameDType(a: TensorType, b: TensorType, where: string, op: string): void {
  if (a.dtype !== b.dtype) {
    fail('dtype', where, `${op} needs operands of one dtype (cast first)`, `${a.dtype} and ${a.dtype}`, `${a.dtype} and ${b.dtype}`);
  }
}

export function expectRank(t: TensorType, rank: number, where: string, what: string): void {
  if (t.shape.length !== rank) fail('shape', where, `${what} has the wrong rank`, `rank ${rank}`, formatType(t));
}

export function broadcastOrFail(shapes: readonly Shape[], where: string, op: string): number[] {
  let out: number[] = [];
  for (const s of shapes) {
    const next = broadcastShapes(out, s);
    if (next === undefined) {
      fail('shape', where, `${op} operands do not broadcast`, 'shapes equal or 1 in each trailing dimension', shapes.map(formatShape).join(' and '));
    }
    out = next;
  }
  return out;
}

/** A possibly negative axis as an index in [0, rank). */
export function normalizeAxis(axis: number, rank: number, where: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    fail('attr', where, 'axis out of range', `an integer in [${-rank}, ${rank - 1}]`, `${axis}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Distinct normalized axes, sorted. */
export function normalizeAxes(axes: readonly number[], rank: number, where: string): number[] {
  const out = axes.map((a) => normalizeAxis(a, rank, where));
  if (new Set(out).size !== out.length) fail('attr', where, 'an axis is repeated', 'distinct axes', `[${axes.join(', ')}]`);
  return out.sort((a, b) => a - b);
}

export function expectShapeAttr(shape: unknown, where: string, field: string): asserts shape is Shape {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    fail('attr', where, `${field} must be a list of non-negative integers`, 'e.g. [2, 3]', JSON.stringify(shape));
  }
}

export function expectPositiveInt(x: unknown, where: string, field: string): asserts x is number {
  if (!Number.isInteger(x) || (x as number) < 1) fail('attr', where, `${field} must be a positive integer`, '>= 1', JSON.stringify(x));
}
