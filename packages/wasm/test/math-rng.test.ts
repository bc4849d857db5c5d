import { GraphBuilder, tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { addKernelLibrary, call, f32x4, get, ModuleBuilder, v128 } from '../src/index.js';
import { expectSame, maxUlp, runFused, ulpDistance } from './fused-harness.js';

// The math library swept densely over each function's domain, scalar and f32x4, against
// Math.* rounded to f32; Philox draws bit for bit against core's.

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const FUNCTIONS = {
  exp: { f: Math.exp, lo: -104, hi: 89, ulp: 1 },
  log: { f: Math.log, lo: 0, hi: 1e4, ulp: 1 },
  sin: { f: Math.sin, lo: -1e6, hi: 1e6, ulp: 2 },
  cos: { f: Math.cos, lo: -1e6, hi: 1e6, ulp: 2 },
  tanh: { f: Math.tanh, lo: -12, hi: 12, ulp: 2 },
  sigmoid: { f: sigmoid, lo: -110, hi: 30, ulp: 2 },
} as const;
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38, 1e-7, -1e-7];

function instantiate() {
  const module = new ModuleBuilder();
  const lib = addKernelLibrary(module);
  for (const name of Object.keys(FUNCTIONS) as (keyof typeof FUNCTIONS)[]) {
    module.function(name, { params: { x: 'f32' }, result: 'f32' }, (p) => ({ body: [], result: call(lib[name], [get(p.x)]) }));
  }
  // f32x4 forms: four copies of x through the vector function, lane 2 read back.
  for (const name of ['exp', 'tanh', 'sigmoid'] as const) {
    module.function(`${name}4`, { params: { x: 'f32' }, result: 'f32' }, (p) => ({
      body: [],
      result: f32x4.extract_lane(call(lib[`${name}4`], [f32x4.splat(get(p.x))]), 2),
    }));
  }
  module.function('mixed4', { params: { x: 'f32' }, result: 'i32' }, (p) => ({ body: [], result: v128.any_true(v128.xor(call(lib.exp4, [f32x4.splat(get(p.x))]), f32x4.splat(call(lib.exp, [get(p.x)])))) }));
  const bytes = module.encode();
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as Record<string, (x: number) => number>;
}

describe('the f32 math library', () => {
  const e = instantiate();
  for (const [name, spec] of Object.entries(FUNCTIONS)) {
    it(`${name} is within ${spec.ulp} ulp of Math.${name} over [${spec.lo}, ${spec.hi}] and exact on special values`, () => {
      const forms = [name, ...(['exp', 'tanh', 'sigmoid'].includes(name) ? [`${name}4`] : [])];
      for (const form of forms) {
        let worst = 0;
        const steps = 200_000;
        for (let k = 0; k <= steps; k++) {
          const x = Math.fround(spec.lo + ((spec.hi - spec.lo) * k) / steps);
          worst = Math.max(worst, ulpDistance(e[form]!(x), Math.fround(spec.f(x))));
        }
        expect(worst, form).toBeLessThanOrEqual(spec.ulp);
        for (const x of SPECIAL) {
          if ((name === 'sin' || name === 'cos') && Math.abs(x) > 1e6 && Number.isFinite(x)) continue;
          expect(ulpDistance(e[form]!(x), Math.fround(spec.f(x))), `${form}(${x})`).toBeLessThanOrEqual(spec.ulp);
        }
      }
    });
  }

  it('exp in f32x4 gives the scalar function bit for bit', () => {
    for (let k = 0; k < 10_000; k++) expect(e.mixed4!(Math.fround(-100 + k * 0.019))).toBe(0);
  });
});

describe('Philox draws', () => {
  const seeds = [0, 1, 42, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 12345, 2 ** 53 - 1];
  const counters = [0, 1, 7, 2 ** 31 - 1, -1];
  it('uniform and bernoulli equal core bit for bit on many (seed, counter, index)', () => {
    for (const seed of seeds) {
      for (const step of counters) {
        const b = new GraphBuilder();
        const counter = b.input('c', [], 'i32');
        const u = b.uniform([5, 7], seed, counter);
        expectSame(runFused(b.finish({ out: u }), { c: tensor([], [step], 'i32') }), `uniform seed ${seed} counter ${step}`);
        const b2 = new GraphBuilder();
        const bern = b2.bernoulli(b2.input('p', [7]), [5, 7], seed, b2.input('c', [], 'i32'));
        const p = tensor([7], [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]);
        expectSame(runFused(b2.finish({ out: bern }), { p, c: tensor([], [step], 'i32') }), `bernoulli seed ${seed} counter ${step}`);
      }
    }
  });

  it('normal agrees with core within 8e-7 · |value| + 2e-7 (Box–Muller through f32 log and cos 2πu)', () => {
    for (const seed of seeds) {
      const b = new GraphBuilder();
      const z = b.normal([1000], seed, b.input('c', [], 'u32'));
      const run = runFused(b.finish({ out: z }), { c: tensor([], [3], 'u32') });
      for (let k = 0; k < 1000; k++) {
        const [w, c] = [run.wasm.data[k]!, run.cpu.data[k]!];
        expect(Math.abs(w - c), `normal seed ${seed} element ${k}`).toBeLessThanOrEqual(8e-7 * Math.abs(c) + 2e-7);
      }
      expect(maxUlp(run)).toBeLessThan(Infinity);
    }
  });

});
