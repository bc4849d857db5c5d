import { describe, expect, it } from 'vitest';
import {
  evaluate,
  toArray,
  trace,
  type DType,
  type GraphBuilder,
  type Initializer,
  type Shape,
} from '../src/index.js';
import { seen, rejects } from './support/trace-helpers.js';

describe('fed leaves', () => {
  it('input, param and state give the fed values with the declared type', () => {
    const graph = trace((b) =>
      b.scope('layer1', () => {
        const x = b.input('x', [2], 'i32');
        const w = b.param('w', [2, 2], { kind: 'zeros' });
        const s = b.state('s', [], { kind: 'fill', value: 3 }, 'u32');
        return { x, w, s };
      }),
    );
    const out = evaluate(graph, { inputs: { x: [-1, 7] }, params: { 'layer1/w': [1, 2, 3, 4] }, state: { 'layer1/s': 9 } }).outputs;
    expect(seen(out.x!)).toEqual({ shape: [2], dtype: 'i32', values: [-1, 7] });
    expect(seen(out.w!)).toEqual({ shape: [2, 2], dtype: 'f32', values: [1, 2, 3, 4] });
    expect(seen(out.s!)).toEqual({ shape: [], dtype: 'u32', values: [9] });
  });

  it('an unfed state starts from its initializer', () => {
    const graph = trace((b) => ({ s: b.state('s', [3], { kind: 'values', values: [1, 0, 1] }, 'bool') }));
    expect(seen(evaluate(graph).outputs.s!)).toEqual({ shape: [3], dtype: 'bool', values: [1, 0, 1] });
  });
});

describe('constant', () => {
  it('fills a shape with one number', () => {
    const out = evaluate(trace((b) => ({ c: b.constant(2.5, [2, 2]), s: b.constant(-4, [], 'i32') }))).outputs;
    expect(seen(out.c!)).toEqual({ shape: [2, 2], dtype: 'f32', values: [2.5, 2.5, 2.5, 2.5] });
    expect(seen(out.s!)).toEqual({ shape: [], dtype: 'i32', values: [-4] });
  });

  it('copies one number per element in row-major order', () => {
    const out = evaluate(
      trace((b) => ({ c: b.constant([1, 2, 3, 4, 5, 6], [2, 3], 'u32'), m: b.constant([1, 0], [2], 'bool'), e: b.constant([], [0, 3]) })),
    ).outputs;
    expect(seen(out.c!)).toEqual({ shape: [2, 3], dtype: 'u32', values: [1, 2, 3, 4, 5, 6] });
    expect(seen(out.m!)).toEqual({ shape: [2], dtype: 'bool', values: [1, 0] });
    expect(seen(out.e!)).toEqual({ shape: [0, 3], dtype: 'f32', values: [] });
  });

  it('holds f32 values rounded to float32 under f32 precision, exact under f64', () => {
    const graph = trace((b) => ({ c: b.constant([0.1, 4294967295, -2147483648], [3]) }));
    // The nearest float32 to 0.1 is 0.100000001490116...; 2^32 - 1 rounds up to 2^32.
    expect(toArray(evaluate(graph, {}, { precision: 'f32' }).outputs.c!)).toEqual([0.10000000149011612, 4294967296, -2147483648]);
    expect(toArray(evaluate(graph, {}, { precision: 'f64' }).outputs.c!)).toEqual([0.1, 4294967295, -2147483648]);
  });

  it('takes the extremes of i32 and u32 exactly', () => {
    const out = evaluate(trace((b) => ({ i: b.constant([-2147483648, 2147483647], [2], 'i32'), u: b.constant(4294967295, [1], 'u32') }))).outputs;
    expect(toArray(out.i!)).toEqual([-2147483648, 2147483647]);
    expect(toArray(out.u!)).toEqual([4294967295]);
  });
});

describe('errors name the node and say what was expected', () => {
  it('a constant whose values do not fill its shape', () => {
    rejects((b) => b.scope('layer1', () => ({ c: b.constant([1, 2, 3], [2, 2]) })), 'attr', [
      "'layer1/const'",
      'one number per element of shape [2, 2]',
      'expected 4 numbers',
      'found 3',
    ]);
  });

  it('non-finite and non-number constant values', () => {
    rejects((b) => b.scope('layer1', () => ({ c: b.constant([1, NaN], [2]) })), 'attr', ["'layer1/const'", 'constant value[1] must be a finite number', 'found NaN']);
    rejects((b) => b.scope('layer1', () => ({ c: b.constant(Infinity, [2]) })), 'attr', ["'layer1/const'", 'found Infinity']);
    rejects(
      (b) => b.scope('layer1', () => ({ c: b.op('constant', [], { shape: [1], dtype: 'f32', value: '1' as never }) })),
      'attr',
      ["'layer1/constant'", 'expected a finite number', 'found "1"'],
    );
  });

  it('constant values that the dtype cannot hold', () => {
    rejects((b) => b.scope('layer1', () => ({ c: b.constant(0.5, [], 'i32') })), 'attr', [
      "'layer1/const'",
      'does not fit dtype i32',
      'expected an integer in [-2147483648, 2147483647]',
      'found 0.5',
    ]);
    rejects((b) => b.scope('layer1', () => ({ c: b.constant(2147483648, [], 'i32') })), 'attr', ["'layer1/const'", 'found 2147483648']);
    rejects((b) => b.scope('layer1', () => ({ c: b.constant(-1, [], 'u32') })), 'attr', ["'layer1/const'", 'expected an integer in [0, 4294967295]', 'found -1']);
    rejects((b) => b.scope('layer1', () => ({ c: b.constant([0, 2], [2], 'bool') })), 'attr', ["'layer1/const'", 'constant value[1]', 'expected 0 or 1', 'found 2']);
    // A number beside an i32 tensor becomes an i32 constant, so a fraction is caught there.
    rejects((b) => b.scope('layer1', () => ({ y: b.input('x', [2], 'i32').add(0.5) })), 'attr', ["'layer1/const'", 'does not fit dtype i32']);
  });

  it('bad shapes, dtypes and names', () => {
    rejects((b) => b.scope('layer1', () => ({ x: b.input('x', [2, -1]) })), 'attr', ["'layer1/x'", 'input shape must be a list of non-negative integers', 'found [2,-1]']);
    rejects((b) => b.scope('layer1', () => ({ c: b.constant(1, [1.5]) })), 'attr', ["'layer1/const'", 'constant shape', 'found [1.5]']);
    rejects((b) => b.scope('layer1', () => ({ x: b.input('x', [2], 'f16' as DType) })), 'attr', ["'layer1/x'", 'expected f32, i32, u32, bool', 'found "f16"']);
    rejects((b) => b.scope('layer1', () => ({ x: b.op('input', [], { name: '', shape: [1], dtype: 'f32' }) })), 'attr', [
      "'layer1/input'",
      'input needs a name',
      'expected a non-empty string',
      'found ""',
    ]);
  });

  it('leaves take no inputs', () => {
    rejects((b) => b.scope('layer1', () => ({ c: b.op('constant', [b.input('x', [])], { shape: [], dtype: 'f32', value: 1 }) })), 'arity', [
      "'layer1/constant'",
      'expected 0',
      'found 1',
    ]);
  });

  it('bad initializers of params and state', () => {
    const param = (init: Initializer, shape: Shape = [2], dtype: DType = 'f32') => (b: GraphBuilder) =>
      b.scope('layer1', () => ({ w: b.param('w', shape, init, dtype) }));
    rejects(param({ kind: 'values', values: [1, 2, 3] }), 'attr', ["'layer1/w'", 'init values', 'expected 2 numbers', 'found 3']);
    rejects(param({ kind: 'fill', value: NaN }), 'attr', ["'layer1/w'", 'init fill value must be a finite number']);
    rejects(param({ kind: 'fill', value: 1.5 }, [2], 'i32'), 'attr', ["'layer1/w'", 'does not fit dtype i32', 'found 1.5']);
    rejects(param({ kind: 'uniform', low: 1, high: 0 }), 'attr', ["'layer1/w'", 'low <= high', 'found low 1, high 0']);
    rejects(param({ kind: 'normal', mean: 0, std: -1 }), 'attr', ["'layer1/w'", 'std >= 0', 'found -1']);
    rejects(param({ kind: 'normal', mean: 0, std: 1 }, [2], 'i32'), 'dtype', ["'layer1/w'", 'needs an f32 tensor', 'found i32']);
    rejects(param({ kind: 'xavier' } as never), 'attr', ["'layer1/w'", 'unknown initializer', 'found {"kind":"xavier"}']);
    rejects((b) => b.scope('layer1', () => ({ s: b.state('s', [2], { kind: 'uniform', low: 0, high: Infinity }) })), 'attr', [
      "'layer1/s'",
      'init high must be a finite number',
      'found Infinity',
    ]);
  });
});
