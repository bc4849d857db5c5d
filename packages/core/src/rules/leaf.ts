import { DTYPES, isDType, type DType } from '../dtype.js';
import { fail } from '../errors.js';
import { allocTensor } from '../host-tensor.js';
import type { Initializer, LeafOp } from '../primitives.js';
import { formatShape, sizeOf, type TensorType } from '../types.js';
import { expectArity, expectShapeAttr } from './checks.js';
import type { CpuTable, InferRule, InferTable } from './rule-types.js';
import type { PrimitiveAttrs } from '../graph.js';

/**
 * Leaves: `input` (fed per call), `param` (trainable), `state` (carried between calls) and
 * `constant` (a literal). Their type comes from their attrs, which are checked here so that a bad
 * literal or initializer is rejected when the graph is built, not when it first runs.
 */

/** What each dtype can hold exactly; a value outside it would be silently changed by the store. */
const RANGE: Readonly<Record<Exclude<DType, 'f32'>, { readonly min: number; readonly max: number; readonly text: string }>> = {
  i32: { min: -(2 ** 31), max: 2 ** 31 - 1, text: `an integer in [${-(2 ** 31)}, ${2 ** 31 - 1}]` },
  u32: { min: 0, max: 2 ** 32 - 1, text: `an integer in [0, ${2 ** 32 - 1}]` },
  bool: { min: 0, max: 1, text: '0 or 1' },
};

function checkNumber(x: unknown, dtype: DType, where: string, what: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    fail('attr', where, `${what} must be a finite number`, 'a finite number', typeof x === 'number' ? String(x) : JSON.stringify(x));
  }
  if (dtype === 'f32') return;
  const r = RANGE[dtype];
  if (!Number.isInteger(x) || x < r.min || x > r.max) fail('attr', where, `${what} does not fit dtype ${dtype}`, r.text, String(x));
}

/** A number to fill with, or exactly one number per element in row-major order. */
function checkFill(value: unknown, type: TensorType, where: string, what: string): void {
  if (!Array.isArray(value)) return checkNumber(value, type.dtype, where, what);
  const size = sizeOf(type.shape);
  if (value.length !== size) {
    fail('attr', where, `${what} must give one number per element of shape ${formatShape(type.shape)}`, `${size} numbers`, `${value.length}`);
  }
  value.forEach((x, i) => checkNumber(x, type.dtype, where, `${what}[${i}]`));
}

function checkFinite(x: unknown, where: string, what: string): void {
  checkNumber(x, 'f32', where, what);
}

/** The same conditions that init.ts relies on, checked when the graph is built. */
function checkInitializer(init: Initializer, type: TensorType, where: string): void {
  const random = () => {
    if (type.dtype !== 'f32') fail('dtype', where, `a ${init.kind} initializer needs an f32 tensor`, 'f32', type.dtype);
  };
  switch (init?.kind) {
    case 'zeros':
    case 'ones':
      return;
    case 'fill':
      return checkNumber(init.value, type.dtype, where, 'init fill value');
    case 'values':
      if (!Array.isArray(init.values)) fail('attr', where, 'init values must be a list of numbers', 'a list', JSON.stringify(init.values));
      return checkFill(init.values, type, where, 'init values');
    case 'uniform':
      random();
      checkFinite(init.low, where, 'init low');
      checkFinite(init.high, where, 'init high');
      if (init.low > init.high) fail('attr', where, 'uniform initializer needs low <= high', 'low <= high', `low ${init.low}, high ${init.high}`);
      return;
    case 'normal':
      random();
      checkFinite(init.mean, where, 'init mean');
      checkFinite(init.std, where, 'init std');
      if (init.std < 0) fail('attr', where, 'normal initializer needs std >= 0', 'std >= 0', `${init.std}`);
      return;
    default:
      fail('attr', where, 'unknown initializer', 'zeros, ones, fill, values, uniform or normal', JSON.stringify(init));
  }
}

/** Shape and dtype attrs, common to every leaf. */
function leafType(attrs: { readonly shape: unknown; readonly dtype: unknown }, where: string, op: LeafOp): TensorType {
  expectShapeAttr(attrs.shape, where, `${op} shape`);
  if (!isDType(attrs.dtype)) fail('attr', where, `${op} dtype is not a dtype`, DTYPES.join(', '), JSON.stringify(attrs.dtype));
  return { shape: [...attrs.shape], dtype: attrs.dtype };
}

function namedLeaf(op: 'input' | 'param' | 'state'): InferRule<'input' | 'param' | 'state'> {
  return (inputs, attrs, where) => {
    expectArity(inputs, 0, where, op);
    if (typeof attrs.name !== 'string' || attrs.name.length === 0) {
      fail('attr', where, `${op} needs a name`, 'a non-empty string', JSON.stringify(attrs.name));
    }
    const type = leafType(attrs, where, op);
    if ('init' in attrs) checkInitializer(attrs.init, type, where);
    else if (op !== 'input') fail('attr', where, `${op} needs an initializer`, 'init', 'none');
    return type;
  };
}

export const leafInfer: InferTable<LeafOp> = {
  input: namedLeaf('input'),
  param: namedLeaf('param'),
  state: namedLeaf('state'),
  constant: (inputs, attrs, where) => {
    expectArity(inputs, 0, where, 'constant');
    const type = leafType(attrs, where, 'constant');
    checkFill(attrs.value, type, where, 'constant value');
    return type;
  },
};

export const leafCpu: CpuTable<LeafOp> = {
  input: (_inputs, _attrs, _type, ctx) => ctx.leafValue(),
  param: (_inputs, _attrs, _type, ctx) => ctx.leafValue(),
  state: (_inputs, _attrs, _type, ctx) => ctx.leafValue(),
  // Values were checked to fit the dtype, so storing them changes nothing but f32 rounding.
  constant: (_inputs, attrs: PrimitiveAttrs['constant'], type, ctx) => {
    const out = allocTensor(type as TensorType, ctx.precision);
    if (typeof attrs.value === 'number') out.data.fill(attrs.value);
    else out.data.set(attrs.value);
    return out;
  },
};
