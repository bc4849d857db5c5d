import { describe, expect, it } from 'vitest';
import { ByteWriter, ModuleBuilder, block, br, br_if, f32, f32x4, get, i32, i32x4, if_, loop, select, set, v128 } from '../src/module-builder/index.js';

const instantiate = (bytes: Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports = {}) => {
  expect(WebAssembly.validate(bytes)).toBe(true);
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports as Record<string, (...args: number[]) => number>;
};

describe('ByteWriter', () => {
  it('writes LEB128 as the spec does', () => {
    expect([...new ByteWriter().u32(624485).finish()]).toEqual([0xe5, 0x8e, 0x26]);
    expect([...new ByteWriter().i32(-123456).finish()]).toEqual([0xc0, 0xbb, 0x78]);
    expect([...new ByteWriter().i32(64).finish()]).toEqual([0xc0, 0x00]);
    expect([...new ByteWriter().i32(-64).finish()]).toEqual([0x40]);
    expect([...new ByteWriter().u32(0xffffffff).finish()]).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(() => new ByteWriter().u32(-1)).toThrow(/u32 out of range/);
  });
});

describe('ModuleBuilder', () => {
  it('encodes scalar i32 and f32 arithmetic, comparisons, select and conversions', () => {
    const m = new ModuleBuilder();
    m.function('mad', { params: { a: 'i32', b: 'i32', c: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: i32.add(i32.mul(get(p.a), get(p.b)), get(p.c)) }));
    m.function('shifts', { params: { a: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: i32.xor(i32.shr_u(get(p.a), i32.const(3)), i32.shl(get(p.a), i32.const(29))) }));
    m.function('fmix', { params: { x: 'f32', y: 'f32' }, result: 'f32' }, (p) => ({
      body: [],
      result: f32.sub(f32.div(f32.mul(get(p.x), f32.const(0.5)), get(p.y)), f32.sqrt(f32.abs(get(p.y)))),
    }));
    m.function('maxOf', { params: { x: 'f32', y: 'f32' }, result: 'f32' }, (p) => ({ body: [], result: select(get(p.x), get(p.y), f32.gt(get(p.x), get(p.y))) }));
    m.function('toFloat', { params: { n: 'i32' }, result: 'f32' }, (p) => ({ body: [], result: f32.add(f32.convert_i32_s(get(p.n)), f32.const(0.25)) }));
    const e = instantiate(m.encode());
    expect(e.mad!(7, -6, 100)).toBe(58);
    expect(e.shifts!(0x12345678)).toBe(((0x12345678 >>> 3) ^ (0x12345678 << 29)) | 0);
    expect(e.fmix!(3, -4)).toBe(Math.fround(Math.fround(1.5 / -4) - 2));
    expect(e.maxOf!(-1, 2)).toBe(2);
    expect(e.maxOf!(5, 2)).toBe(5);
    expect(e.toFloat!(-3)).toBe(-2.75);
  });

  it('encodes locals, loops, br_if, if/else and nested blocks (a sum of odd numbers below n)', () => {
    const m = new ModuleBuilder();
    m.function('oddSum', { params: { n: 'i32' }, result: 'i32' }, (p, fn) => {
      const i = fn.local('i32');
      const sum = fn.local('i32');
      return {
        body: [
          set(i, i32.const(0)),
          set(sum, i32.const(0)),
          block((done) => [
            loop((next) => [
              br_if(done, i32.ge_s(get(i), get(p.n))),
              if_(i32.and(get(i), i32.const(1)), [set(sum, i32.add(get(sum), get(i)))], [set(sum, i32.add(get(sum), i32.const(0)))]),
              set(i, i32.add(get(i), i32.const(1))),
              br(next),
            ]),
          ]),
        ],
        result: get(sum),
      };
    });
    const e = instantiate(m.encode());
    for (const n of [0, 1, 2, 10, 1001]) {
      let expected = 0;
      for (let k = 1; k < n; k += 2) expected += k;
      expect(e.oddSum!(n)).toBe(expected);
    }
  });

  it('loads and stores with offsets through an imported shared memory, scalar and v128', () => {
    const m = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', initial: 1, maximum: 4, shared: true });
    // out[k] = (x[k] + y[k]) * x[k] for four lanes, then out[4] = lane 2 + lane 3 of that product,
    // out[5] = lane 1 of (i32 (x bits) * 2 + splat 1), out[6] = x[0] splatted from memory * 3.
    m.function('simd', { params: { x: 'i32', y: 'i32', out: 'i32' } }, (p, fn) => {
      const prod = fn.local('v128');
      return {
        body: [
          set(prod, f32x4.mul(f32x4.add(v128.load(get(p.x)), v128.load(get(p.y), { align: 4 })), v128.load(get(p.x)))),
          v128.store(get(p.out), get(prod)),
          f32.store(get(p.out), f32.add(f32x4.extract_lane(get(prod), 2), f32x4.extract_lane(get(prod), 3)), { offset: 16 }),
          i32.store(get(p.out), i32x4.extract_lane(i32x4.add(i32x4.mul(v128.load(get(p.x)), i32x4.splat(i32.const(2))), v128.const_i32x4([1, 1, 1, 1])), 1), { offset: 20 }),
          f32.store(get(p.out), f32x4.extract_lane(f32x4.mul(v128.load32_splat(get(p.x)), f32x4.splat(f32.const(3))), 3), { offset: 24, align: 4 }),
        ],
      };
    });
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    const e = instantiate(m.encode(), { env: { memory } });
    const f = new Float32Array(memory.buffer);
    const u = new Int32Array(memory.buffer);
    f.set([1.5, -2, 3.25, 0.125], 0);
    f.set([0.5, 4, -1, 8], 4);
    e.simd!(0, 16, 64);
    const x = [1.5, -2, 3.25, 0.125];
    const y = [0.5, 4, -1, 8];
    const prod = x.map((v, k) => Math.fround(Math.fround(v + y[k]!) * v));
    expect([...f.subarray(16, 20)]).toEqual(prod);
    expect(f[20]).toBe(Math.fround(prod[2]! + prod[3]!));
    expect(u[21]).toBe((u[1]! * 2 + 1) | 0);
    expect(f[22]).toBe(4.5);
  });

  it('rejects what it cannot encode and a branch to a label out of scope', () => {
    expect(() => new ModuleBuilder().importMemory({ module: 'env', name: 'memory', initial: 1, shared: true })).toThrow(/needs a maximum/);
    expect(() => f32.load(i32.const(0), { align: 8 })).toThrow(/align 8 is not a power of two at most 4/);
    expect(() => f32x4.extract_lane(v128.load(i32.const(0)), 4)).toThrow(/lane 4/);
    const m = new ModuleBuilder();
    let escaped: Parameters<typeof br>[0] | undefined;
    expect(() =>
      m.function('bad', { params: {} }, () => ({
        body: [block((label) => ((escaped = label), [])), br(escaped!)],
      })),
    ).toThrow(/br: the label is not that of an enclosing block/);
    expect(() => m.function('noResult', { params: {}, result: 'i32' }, () => ({ body: [] }))).toThrow(/declares a i32 result but returns none/);
  });
});
