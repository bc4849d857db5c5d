import { SURROGATE_NAMES, trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { grad } from '@spikeflow/autodiff';
import { BITS, LONG_SUM, NORMAL_DRAWS, REORDERED_SUM, ulpsOf, type WasmTolerance } from './wasm-tolerance.js';

/**
 * The backend parity suite as data (in the manner of onnxruntime-web's op tests): each case is a
 * graph and the range of its random inputs; a backend's runner evaluates it on the CPU reference
 * and on the backend and compares within the case's tolerance for that backend. The same list runs
 * on WebGPU (Node, Deno, Chromium) and on the WebAssembly backend (Node, Deno).
 */
export interface GraphCase {
  readonly name: string;
  readonly graph: Graph;
  /** Range of random values per input name (default [-2, 2]); integer inputs are rounded. */
  readonly ranges?: Readonly<Record<string, readonly [number, number]>>;
  /** WebGPU's relative tolerance: |gpu - cpu| <= tol * max(1, |cpu|). */
  readonly tol: number;
  /** The WebAssembly backend's tolerance against the float32 CPU reference, with its reason. */
  readonly wasm: WasmTolerance;
}

const ELEMENTWISE = 1e-5;
const REDUCTION = 1e-4;

/** WGSL only promises sin and cos to 2^-11 absolute on [-pi, pi] (SwiftShader uses that freedom). */
const TRIGONOMETRY = 2 ** -11;

/** WASM bounds of the unary ops: bit for bit, or the measured ulp bound of its polynomial. */
const WASM_UNARY: Readonly<Record<string, WasmTolerance>> = {
  exp: ulpsOf('exp', 1),
  log: ulpsOf('log', 1),
  sin: ulpsOf('sin', 1),
  cos: ulpsOf('cos', 2),
  tanh: ulpsOf('tanh', 1),
  sigmoid: ulpsOf('sigmoid', 2),
  rsqrt: ulpsOf('rsqrt', 1),
};

function unaryCase(op: string, f: (x: Tensor) => Tensor, range: readonly [number, number] = [-2, 2], tol = ELEMENTWISE): GraphCase {
  return { name: `unary ${op}`, graph: trace((b) => ({ y: f(b.input('x', [37, 3])) })), ranges: { x: range }, tol, wasm: WASM_UNARY[op] ?? BITS };
}

function binaryCase(op: string, f: (a: Tensor, b: Tensor) => Tensor, range: readonly [number, number] = [-2, 2]): GraphCase {
  return { name: `binary ${op} (broadcast [3,1,5] with [4,1])`, graph: trace((b) => ({ y: f(b.input('a', [3, 1, 5]), b.input('b', [4, 1])) })), ranges: { a: range, b: range }, tol: ELEMENTWISE, wasm: BITS };
}

/**
 * The gradient graph of `fn` (loss = sum(fn(x) * r)), to run VJP rules on a backend. On WASM its
 * loss (and any sum in a VJP: broadcast gradients, matmul, conv) is a float32 sum in another order.
 */
function gradCase(name: string, shapes: Readonly<Record<string, readonly number[]>>, fn: (b: GraphBuilder, xs: Record<string, Tensor>) => Tensor, tol = REDUCTION, ranges?: Readonly<Record<string, readonly [number, number]>>): GraphCase {
  const forward = trace((b) => {
    const xs = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, b.input(n, s)]));
    const y = fn(b, xs);
    return { loss: y.mul(b.input('r', y.shape)).sum() };
  });
  return { name: `grad ${name}`, graph: grad(forward, { of: 'loss', wrt: Object.keys(shapes) }), tol, wasm: REORDERED_SUM, ...(ranges ? { ranges } : {}) };
}

/** One gradient case per differentiable elementwise rule, on broadcasting shapes. */
function elementwiseGradCases(): GraphCase[] {
  const unary: [string, (x: Tensor) => Tensor, readonly [number, number]][] = [
    ['neg', (x) => x.neg(), [-2, 2]],
    ['abs', (x) => x.abs(), [0.2, 2]],
    ['exp', (x) => x.exp(), [-2, 2]],
    ['log', (x) => x.log(), [0.2, 3]],
    ['sqrt', (x) => x.sqrt(), [0.2, 3]],
    ['rsqrt', (x) => x.rsqrt(), [0.2, 3]],
    ['reciprocal', (x) => x.reciprocal(), [0.5, 3]],
    ['sin', (x) => x.sin(), [-3, 3]],
    ['cos', (x) => x.cos(), [-3, 3]],
    ['tanh', (x) => x.tanh(), [-3, 3]],
    ['sigmoid', (x) => x.sigmoid(), [-5, 5]],
  ];
  const binary: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', (a, b) => a.add(b)],
    ['sub', (a, b) => a.sub(b)],
    ['mul', (a, b) => a.mul(b)],
    ['div', (a, b) => a.div(b)],
    ['pow', (a, b) => a.pow(b)],
    ['maximum', (a, b) => a.maximum(b)],
    ['minimum', (a, b) => a.minimum(b)],
    ['where', (a, b) => a.builder.where(a.greater(b), a, b)],
  ];
  return [
    ...unary.map(([name, f, range]) => gradCase(name, { x: [5, 7] }, (_, { x }) => f(x!), name === 'sin' || name === 'cos' ? TRIGONOMETRY : REDUCTION, { x: range })),
    ...binary.map(([name, f]) => gradCase(name, { a: [3, 4], b: [4] }, (_, { a, b }) => f(a!, b!), REDUCTION, { a: [0.5, 2], b: [0.5, 2] })),
  ];
}

/** The spike VJP of every surrogate family at its default parameter. */
function surrogateGradCases(): GraphCase[] {
  return SURROGATE_NAMES.map((name) => gradCase(`spike (${name} surrogate)`, { x: [9, 11] }, (_, { x }) => x!.spike(name), ELEMENTWISE, { x: [-2, 2] }));
}

export function graphCases(): GraphCase[] {
  return [
    ...elementwiseGradCases(),
    ...surrogateGradCases(),
    gradCase('gather and broadcast', { x: [6, 4] }, (b, { x }) => x!.gather(b.constant([5, 0, 0, 3], [4], 'i32'), 0).mul(x!.sum(0).broadcastTo([4, 4]))),
    gradCase('conv1d', { x: [2, 4, 11], w: [6, 2, 3] }, (_, { x, w }) => x!.conv1d(w!, { stride: 2, padding: [1, 2], dilation: 2, groups: 2 })),
    gradCase('customVjp (straight-through round)', { x: [3, 5] }, (b, { x }) =>
      b.customVjp([x!], { forward: (_, [v]) => ({ outputs: [v!.round()] }), backward: (_, __, [dy]) => [dy!] })[0]!.mul(x!),
    ),
    unaryCase('neg', (x) => x.neg()),
    unaryCase('abs', (x) => x.abs()),
    unaryCase('sign', (x) => x.sign()),
    unaryCase('exp', (x) => x.exp()),
    unaryCase('log', (x) => x.log(), [0.1, 3]),
    unaryCase('sqrt', (x) => x.sqrt(), [0.1, 3]),
    unaryCase('rsqrt', (x) => x.rsqrt(), [0.1, 3]),
    unaryCase('reciprocal', (x) => x.reciprocal(), [0.5, 3]),
    unaryCase('sin', (x) => x.sin(), [-3, 3], TRIGONOMETRY),
    unaryCase('cos', (x) => x.cos(), [-3, 3], TRIGONOMETRY),
    unaryCase('tanh', (x) => x.tanh(), [-30, 30]),
    unaryCase('sigmoid', (x) => x.sigmoid(), [-50, 50]),
    unaryCase('floor', (x) => x.floor()),
    unaryCase('ceil', (x) => x.ceil()),
    unaryCase('round', (x) => x.round()),
    unaryCase('spike', (x) => x.spike()),
    unaryCase('logicalNot', (x) => x.greater(0).logicalNot().cast('f32')),
    binaryCase('add', (a, b) => a.add(b)),
    binaryCase('sub', (a, b) => a.sub(b)),
    binaryCase('mul', (a, b) => a.mul(b)),
    binaryCase('div', (a, b) => a.div(b), [0.5, 2]),
    binaryCase('pow', (a, b) => a.pow(b), [0.5, 2]),
    binaryCase('maximum', (a, b) => a.maximum(b)),
    binaryCase('minimum', (a, b) => a.minimum(b)),
    binaryCase('compare', (a, b) => a.less(b).cast('f32').add(a.greaterEqual(b).cast('f32').mul(2)).add(a.equal(b).cast('f32').mul(4))),
    binaryCase('logical', (a, b) => a.greater(0).logicalAnd(b.less(0)).logicalOr(a.lessEqual(b).logicalAnd(a.notEqual(0))).cast('f32')),
    binaryCase('where', (a, b) => a.builder.where(a.greater(b), a, b.mul(3))),
    {
      name: 'integer arithmetic and casts',
      graph: trace((b) => {
        const i = b.input('i', [50], 'i32');
        const j = b.input('j', [50], 'i32');
        const q = i.div(j).add(i.mul(j)).sub(j);
        return { y: q.cast('f32'), u: i.cast('u32').cast('f32'), f: b.input('x', [50]).mul(100).cast('i32').cast('f32') };
      }),
      ranges: { i: [-1000, 1000], j: [-5, 5], x: [-3, 3] },
      // u32 -> f32 may round either way by one ulp of 2^32 (WGSL leaves the direction open).
      tol: 1e-6,
      wasm: BITS,
    },
    { name: 'sum over axes 0,2 keepDims', graph: trace((b) => ({ y: b.input('x', [7, 9, 11]).sum([0, 2], true) })), tol: REDUCTION, wasm: REORDERED_SUM },
    { name: 'max over axis -1', graph: trace((b) => ({ y: b.input('x', [5, 300]).max(-1) })), tol: REDUCTION, wasm: BITS },
    { name: 'mean of all (large R, fused prologue)', graph: trace((b) => ({ y: b.input('x', [3, 50001]).exp().mean() })), tol: REDUCTION, wasm: LONG_SUM },
    { name: 'reshape, transpose, broadcast', graph: trace((b) => ({ y: b.input('x', [6, 4]).reshape([2, 3, 4]).transpose([2, 0, 1]).add(b.input('z', [3]).broadcastTo([2, 3])) })), tol: ELEMENTWISE, wasm: BITS },
    { name: 'slice with steps', graph: trace((b) => ({ y: b.input('x', [9, 10]).slice([1, -7], [8, 10], [3, 2]) })), tol: 0, wasm: BITS },
    { name: 'concat axis -1', graph: trace((b) => ({ y: b.concat([b.input('a', [2, 3]), b.input('b', [2, 1]), b.input('c', [2, 4])], -1) })), tol: 0, wasm: BITS },
    { name: 'pad', graph: trace((b) => ({ y: b.input('x', [3, 4]).pad([[1, 2], [0, 3]], 0.5) })), tol: 0, wasm: BITS },
    { name: 'gather and oneHot', graph: trace((b) => ({ y: b.input('x', [5, 6]).gather(b.input('i', [2, 3], 'i32'), 1), h: b.input('k', [7], 'i32').oneHot(4) })), ranges: { i: [0, 5], k: [-1, 4] }, tol: 0, wasm: BITS },
    { name: 'matmul 7x13 @ 13x5', graph: trace((b) => ({ y: b.input('a', [7, 13]).matmul(b.input('b', [13, 5])) })), tol: REDUCTION, wasm: REORDERED_SUM },
    { name: 'matmul batched broadcast with transposes', graph: trace((b) => ({ y: b.input('a', [2, 1, 9, 5]).matmul(b.input('b', [3, 6, 9]), { transposeA: true, transposeB: true }) })), tol: REDUCTION, wasm: REORDERED_SUM },
    { name: 'matmul 70x300 @ 300x90', graph: trace((b) => ({ y: b.input('a', [70, 300]).matmul(b.input('b', [300, 90])) })), tol: REDUCTION, wasm: LONG_SUM },
    { name: 'conv1d stride 2, pads, dilation 2, groups 2', graph: trace((b) => ({ y: b.input('x', [2, 4, 17]).conv1d(b.input('w', [6, 2, 3]), { stride: 2, padding: [1, 2], dilation: 2, groups: 2 }) })), tol: REDUCTION, wasm: REORDERED_SUM },
    { name: 'conv2d stride 2, padding', graph: trace((b) => ({ y: b.input('x', [1, 3, 9, 8]).conv2d(b.input('w', [4, 3, 3, 2]), { stride: [2, 1], padding: [[1, 0], [2, 1]] }) })), tol: REDUCTION, wasm: REORDERED_SUM },
    {
      name: 'uniform and bernoulli draws: bit-identical to the CPU',
      graph: trace((b) => {
        const step = b.input('step', [], 'u32');
        return { u: b.uniform([1000], 7, step), s: b.bernoulli(b.input('p', [10, 1]), [10, 30], 3, step) };
      }),
      ranges: { step: [0, 100], p: [0, 1] },
      tol: 0,
      wasm: BITS,
    },
    {
      // Box-Muller goes through log and cos, so it inherits their WGSL accuracy (|z| <= ~5 times cos's bound).
      name: 'normal draws',
      graph: trace((b) => ({ n: b.normal([257], 2 ** 33 + 5, b.input('step', [], 'u32')) })),
      ranges: { step: [0, 100] },
      tol: 5 * TRIGONOMETRY,
      wasm: NORMAL_DRAWS,
    },
    {
      name: 'LIF scan (elementwise body: one kernel)',
      graph: trace((b) => {
        const x = b.input('x', [12, 3, 50]);
        const { outputs, carries } = b.scan({
          carries: [b.constant(0, [3, 50])],
          sequences: [x],
          body: (_, [v], [xt]) => {
            const h = v!.add(xt!.sub(v!).div(2));
            const s = h.sub(1).spike();
            return { carries: [h.mul(s.neg().add(1))], outputs: [s, h] };
          },
        });
        return { s: outputs[0]!, h: outputs[1]!, v: carries[0]! };
      }),
      ranges: { x: [0, 3] },
      tol: ELEMENTWISE,
      wasm: BITS,
    },
    {
      name: 'recurrent scan with a matmul (step loop), reverse',
      graph: trace((b) => {
        const w = b.input('w', [8, 8]);
        const { outputs, carries } = b.scan({
          carries: [b.input('h0', [2, 8])],
          sequences: [b.input('x', [10, 2, 8])],
          reverse: true,
          body: (_, [h], [xt]) => {
            const next = h!.matmul(w).add(xt!).tanh();
            return { carries: [next], outputs: [next.sum(-1)] };
          },
        });
        return { y: outputs[0]!, h: carries[0]! };
      }),
      ranges: { w: [-0.5, 0.5] },
      tol: REDUCTION,
      wasm: REORDERED_SUM,
    },
    gradCase('elementwise chain with broadcasting', { a: [4, 5], b: [5] }, (_, { a, b }) => a!.mul(b!).sigmoid().add(a!.tanh()).div(b!.abs().add(1))),
    gradCase('reductions', { x: [6, 7] }, (_, { x }) => x!.max(1, true).add(x!.mean(0)).mul(x!.sum())),
    gradCase('matmul with broadcast', { a: [2, 5, 3], b: [3, 4] }, (_, { a, b }) => a!.matmul(b!)),
    gradCase('shape ops', { x: [4, 6] }, (b, { x }) => b.concat([x!.slice([1, 0], [4, 6], [2, 3]).transpose(), x!.pad([[0, 0], [1, 1]]).slice([0, 0], [2, 8]).reshape([8, 2])], 0)),
    gradCase('conv2d', { x: [1, 2, 6, 5], w: [3, 2, 3, 3] }, (_, { x, w }) => x!.conv2d(w!, { stride: 2, padding: 1 })),
    gradCase(
      'LIF BPTT (scan VJP)',
      { x: [8, 2, 6] },
      (b, { x }) =>
        b.scan({
          carries: [b.constant(0, [2, 6])],
          sequences: [x!],
          body: (_, [v], [xt]) => {
            const h = v!.add(xt!.sub(v!).div(2));
            const s = h.sub(1).spike();
            return { carries: [h.mul(s.stopGradient().neg().add(1))], outputs: [s] };
          },
        }).outputs[0]!,
      REDUCTION,
      { x: [0, 3] },
    ),
  ];
}
