import { describe, expect, it } from 'vitest';
import { ByteWriter, ModuleBuilder, block, br, br_if, call, f32, f32x4, f64, get, i32, i32x4, i64, ifValue, if_, loop, select, set, v128, valueBlock } from '../src/module-builder/index.js';
import { memory_copy } from '../src/module-builder/ops-kernels.js';

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

describe('ModuleBuilder: the instructions the rule table needs', () => {
  it('runs i32 bit ops, saturating conversions, i64 products, f32 rounding and copysign', () => {
    const m = new ModuleBuilder();
    const i1 = (name: string, f: (a: ReturnType<typeof get<'i32'>>) => ReturnType<typeof i32.const>) => m.function(name, { params: { a: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: f(get(p.a)) }));
    i1('clz', i32.clz);
    i1('ctz', i32.ctz);
    i1('popcnt', i32.popcnt);
    i1('rotl5', (a) => i32.rotl(a, i32.const(5)));
    i1('rotr5', (a) => i32.rotr(a, i32.const(5)));
    m.function('mulhi', { params: { a: 'i32', b: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: i32.wrap_i64(i64.shr_u(i64.mul(i64.extend_i32_u(get(p.a)), i64.extend_i32_u(get(p.b))), i64.const(32n))) }));
    m.function('satS', { params: { x: 'f32' }, result: 'i32' }, (p) => ({ body: [], result: i32.trunc_sat_f32_s(get(p.x)) }));
    m.function('satU', { params: { x: 'f32' }, result: 'i32' }, (p) => ({ body: [], result: i32.trunc_sat_f32_u(get(p.x)) }));
    m.function('truncU', { params: { x: 'f32' }, result: 'i32' }, (p) => ({ body: [], result: i32.trunc_f32_u(get(p.x)) }));
    for (const name of ['ceil', 'trunc', 'nearest'] as const) m.function(name, { params: { x: 'f32' }, result: 'f32' }, (p) => ({ body: [], result: f32[name](get(p.x)) }));
    m.function('copysign', { params: { x: 'f32', y: 'f32' }, result: 'f32' }, (p) => ({ body: [], result: f32.copysign(get(p.x), get(p.y)) }));
    m.function('viaF64', { params: { x: 'f32' }, result: 'f32' }, (p) => ({ body: [], result: f32.demote_f64(f64.div(f64.promote_f32(get(p.x)), f64.const(3))) }));
    const e = instantiate(m.encode());
    expect([e.clz!(1), e.clz!(0), e.ctz!(8), e.ctz!(0), e.popcnt!(0xf0f0)]).toEqual([31, 32, 3, 32, 8]);
    expect(e.rotl5!(0x80000001)).toBe(0x30 | 0);
    expect(e.rotr5!(0x30)).toBe(0x80000001 | 0);
    expect(e.mulhi!(0xd2511f53 | 0, 0xffffffff | 0) >>> 0).toBe(Number((0xd2511f53n * 0xffffffffn) >> 32n));
    expect([e.satS!(NaN), e.satS!(-1e10), e.satS!(1e10), e.satS!(-2.7)]).toEqual([0, -2147483648, 2147483647, -2]);
    expect([e.satU!(-5), e.satU!(1e10) >>> 0, e.satU!(3.9), e.truncU!(4e9) >>> 0]).toEqual([0, 4294967295, 3, 4e9]);
    expect([e.ceil!(-1.5), e.trunc!(-1.5), e.nearest!(2.5), e.nearest!(-0.5), e.copysign!(2, -0)]).toEqual([-1, -1, 2, -0, -2]);
    expect(e.viaF64!(1)).toBe(Math.fround(1 / 3));
  });

  it('calls internal functions, and computes values in blocks and if-expressions', () => {
    const m = new ModuleBuilder();
    const square = m.helper('square', ['i32'] as const, 'i32', ([a]) => ({ body: [], result: i32.mul(get(a), get(a)) }));
    const mix = m.helper('mix', ['i32', 'f32'] as const, 'f32', ([a, x]) => ({ body: [], result: f32.mul(f32.convert_i32_s(get(a)), get(x)) }));
    m.function('useBoth', { params: { a: 'i32' }, result: 'f32' }, (p, fn) => {
      const t = fn.local('i32');
      return { body: [], result: call(mix, [valueBlock([set(t, call(square, [get(p.a)]))], i32.add(get(t), get(t))), f32.const(0.5)]) };
    });
    // Only the chosen branch runs: the other would trap (division by zero).
    m.function('safeDiv', { params: { a: 'i32', b: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: ifValue(i32.eqz(get(p.b)), i32.const(-1), i32.div_s(get(p.a), get(p.b))) }));
    const e = instantiate(m.encode());
    expect(e.useBoth!(3)).toBe(9);
    expect([e.safeDiv!(7, 0), e.safeDiv!(7, 2)]).toEqual([-1, 3]);
    expect(() => call(square, [f32.const(1)] as never)).toThrow(/do not match its parameters/);
    expect(m.encode().length).toBeGreaterThan(0);
  });

  it('runs the SIMD comparisons, selects, integer lanes and conversions', () => {
    const m = new ModuleBuilder();
    const lane = (name: string, k: number, v: (a: ReturnType<typeof f32x4.splat>, b: ReturnType<typeof f32x4.splat>) => ReturnType<typeof f32x4.splat>) =>
      m.function(name, { params: { a: 'i32', b: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: i32x4.extract_lane(v(i32x4.replace_lane(i32x4.splat(get(p.a)), 1, i32.const(5)), i32x4.splat(get(p.b))), k) }));
    const fl = (name: string, v: (a: ReturnType<typeof f32x4.splat>, b: ReturnType<typeof f32x4.splat>) => ReturnType<typeof f32x4.splat>) =>
      m.function(name, { params: { x: 'f32', y: 'f32' }, result: 'i32' }, (p) => ({ body: [], result: i32x4.extract_lane(v(f32x4.splat(get(p.x)), f32x4.splat(get(p.y))), 3) }));
    lane('ltU', 0, i32x4.lt_u);
    lane('ltS', 0, i32x4.lt_s);
    lane('geS1', 1, i32x4.ge_s);
    lane('minU', 0, i32x4.min_u);
    lane('maxS', 0, i32x4.max_s);
    lane('shrS', 0, (a) => i32x4.shr_s(a, i32.const(4)));
    lane('shrU', 0, (a) => i32x4.shr_u(a, i32.const(4)));
    lane('shl', 0, (a) => i32x4.shl(a, i32.const(4)));
    lane('neg', 0, (a) => i32x4.neg(a));
    lane('abs', 0, (a) => i32x4.abs(a));
    lane('andnot', 0, v128.andnot);
    lane('sel', 1, (a, b) => v128.bitselect(a, b, i32x4.eq(a, i32x4.splat(i32.const(5)))));
    fl('fge', f32x4.ge);
    fl('fne', f32x4.ne);
    fl('fle', f32x4.le);
    fl('fgt', f32x4.gt);
    fl('toIntS', (a) => i32x4.trunc_sat_f32x4_s(a));
    fl('toIntU', (a) => i32x4.trunc_sat_f32x4_u(a));
    fl('ceil', (a) => i32x4.trunc_sat_f32x4_s(f32x4.ceil(a)));
    fl('floor', (a) => i32x4.trunc_sat_f32x4_s(f32x4.floor(a)));
    fl('nearest', (a) => i32x4.trunc_sat_f32x4_s(f32x4.nearest(a)));
    fl('trunc', (a) => i32x4.trunc_sat_f32x4_s(f32x4.trunc(a)));
    m.function('fromInt', { params: { a: 'i32' }, result: 'f32' }, (p) => ({ body: [], result: f32x4.extract_lane(f32x4.convert_i32x4_u(i32x4.splat(get(p.a))), 0) }));
    m.function('fromIntS', { params: { a: 'i32' }, result: 'f32' }, (p) => ({ body: [], result: f32x4.extract_lane(f32x4.convert_i32x4_s(i32x4.splat(get(p.a))), 0) }));
    m.function('allTrue', { params: { a: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: i32x4.all_true(i32x4.splat(get(p.a))) }));
    m.function('anyTrue', { params: { a: 'i32' }, result: 'i32' }, (p) => ({ body: [], result: v128.any_true(i32x4.replace_lane(i32x4.splat(i32.const(0)), 2, get(p.a))) }));
    const e = instantiate(m.encode());
    expect([e.ltU!(-1, 1), e.ltS!(-1, 1), e.geS1!(0, 5), e.minU!(-1, 3), e.maxS!(-1, 3)]).toEqual([0, -1, -1, 3, 3]);
    expect([e.shrS!(-32, 0), e.shrU!(-32, 0), e.shl!(3, 0), e.neg!(7, 0), e.abs!(-2147483648, 0)]).toEqual([-2, 0x0ffffffe, 48, -7, -2147483648]);
    expect([e.andnot!(0b1110, 0b0110), e.sel!(1, 9)]).toEqual([0b1000, 5]);
    expect([e.fge!(1, 1), e.fne!(NaN, NaN), e.fle!(2, 1), e.fgt!(2, 1)]).toEqual([-1, -1, 0, -1]);
    expect([e.toIntS!(NaN, 0), e.toIntS!(-3e9, 0), e.toIntU!(-1, 0), e.toIntU!(3e9, 0) >>> 0]).toEqual([0, -2147483648, 0, 3e9]);
    expect([e.ceil!(-1.5, 0), e.floor!(-1.5, 0), e.nearest!(-2.5, 0), e.trunc!(-1.5, 0)]).toEqual([-1, -2, -2, -1]);
    expect([e.fromInt!(-1), e.fromIntS!(-1)]).toEqual([4294967296, -1]);
    expect([e.allTrue!(1), e.allTrue!(0), e.anyTrue!(4), e.anyTrue!(0)]).toEqual([1, 0, 1, 0]);
  });
});

describe('ModuleBuilder: memory.copy (bulk memory)', () => {
  const copier = () => {
    const m = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', initial: 1, maximum: 1, shared: true });
    m.function('copy', { params: { dst: 'i32', src: 'i32', n: 'i32' } }, (p) => ({ body: [memory_copy(get(p.dst), get(p.src), get(p.n))] }));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return { e: instantiate(m.encode(), { env: { memory } }), bytes: new Uint8Array(memory.buffer) };
  };

  it('copies bytes, overlapping ranges as if through a temporary, and traps past the memory', () => {
    const { e, bytes } = copier();
    bytes.set([1, 2, 3, 4, 5, 6, 7, 8, 9], 100);
    e.copy!(200, 100, 9);
    expect([...bytes.subarray(200, 209)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([bytes[199], bytes[209]]).toEqual([0, 0]);
    // Forward overlap (dst after src) and backward overlap (dst before src).
    e.copy!(102, 100, 5);
    expect([...bytes.subarray(100, 109)]).toEqual([1, 2, 1, 2, 3, 4, 5, 8, 9]);
    e.copy!(100, 103, 4);
    expect([...bytes.subarray(100, 109)]).toEqual([2, 3, 4, 5, 3, 4, 5, 8, 9]);
    e.copy!(300, 100, 0);
    expect(bytes[300]).toBe(0);
    expect(() => e.copy!(65536 - 4, 0, 5)).toThrow(WebAssembly.RuntimeError);
    expect(() => e.copy!(0, 65536 - 4, 8)).toThrow(WebAssembly.RuntimeError);
  });
});
