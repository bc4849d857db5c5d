// Raw-WebGPU smoke cases: hand-written WGSL against a JavaScript reference. They check the
// runtime itself (dispatch, bounds, workgroup memory and barriers, integer wrap-around) before
// any compiler-generated kernel is trusted.
import { assertClose } from '../../../../test/support/parity/close.js';
import { dispatch, readBytes, storageBuffer } from './compute.js';
import type { ParityCase } from './suite.js';

/** Elements per value: not a multiple of the workgroup size, so the bounds check matters. */
const N = 1000;

const affine: ParityCase = {
  name: 'smoke: y = 2x + 1 (f32, 1000 elements)',
  async run(device) {
    const x = Float32Array.from({ length: N }, (_, i) => (i - 500) * 0.37);
    const xs = storageBuffer(device, x);
    const ys = storageBuffer(device, new Float32Array(N));
    const code = /* wgsl */ `
      @group(0) @binding(0) var<storage, read> x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> y: array<f32>;
      @compute @workgroup_size(64)
      fn main(@builtin(global_invocation_id) id: vec3u) {
        if (id.x >= arrayLength(&x)) { return; }
        y[id.x] = 2.0 * x[id.x] + 1.0;
      }`;
    dispatch(device, code, [xs, ys], Math.ceil(N / 64));
    const got = new Float32Array(await readBytes(device, ys));
    xs.destroy();
    ys.destroy();
    assertClose(got, x.map((v) => 2 * v + 1), { atol: 1e-6, rtol: 1e-6 });
  },
};

/** Elements summed by one workgroup of 256 threads: several per thread plus a ragged tail. */
const SUM_N = 100_003;

const workgroupSum: ParityCase = {
  name: 'smoke: workgroup-memory tree reduction (sum of 100003 f32)',
  async run(device) {
    const x = Float32Array.from({ length: SUM_N }, (_, i) => 0.5 * Math.sin(i) + 0.25);
    const xs = storageBuffer(device, x);
    const out = storageBuffer(device, new Float32Array(1));
    const code = /* wgsl */ `
      const WG: u32 = 256u;
      @group(0) @binding(0) var<storage, read> x: array<f32>;
      @group(0) @binding(1) var<storage, read_write> out: array<f32>;
      var<workgroup> partial: array<f32, WG>;
      @compute @workgroup_size(WG)
      fn main(@builtin(local_invocation_index) lid: u32) {
        var acc = 0.0;
        for (var i = lid; i < arrayLength(&x); i += WG) { acc += x[i]; }
        partial[lid] = acc;
        workgroupBarrier();
        for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
          if (lid < stride) { partial[lid] += partial[lid + stride]; }
          workgroupBarrier();
        }
        if (lid == 0u) { out[0] = partial[0]; }
      }`;
    dispatch(device, code, [xs, out], 1);
    const got = new Float32Array(await readBytes(device, out));
    xs.destroy();
    out.destroy();
    let sum = 0;
    for (const v of x) sum += v;
    // f32 accumulation of ~400 terms per thread, then a tree: relative error well under 1e-4.
    assertClose(got, [sum], { atol: 1e-3, rtol: 1e-4 });
  },
};

const u32Hash: ParityCase = {
  name: 'smoke: u32 multiply-xorshift hash wraps like Math.imul',
  async run(device) {
    const x = Uint32Array.from({ length: N }, (_, i) => (i * 2_654_435_761 + 12345) >>> 0);
    const xs = storageBuffer(device, x);
    const ys = storageBuffer(device, new Uint32Array(N));
    const code = /* wgsl */ `
      @group(0) @binding(0) var<storage, read> x: array<u32>;
      @group(0) @binding(1) var<storage, read_write> y: array<u32>;
      @compute @workgroup_size(64)
      fn main(@builtin(global_invocation_id) id: vec3u) {
        if (id.x >= arrayLength(&x)) { return; }
        let v = x[id.x];
        y[id.x] = (v * 2246822519u) ^ (v >> 13u);
      }`;
    dispatch(device, code, [xs, ys], Math.ceil(N / 64));
    const got = new Uint32Array(await readBytes(device, ys));
    xs.destroy();
    ys.destroy();
    assertClose(got, x.map((v) => (Math.imul(v, 2_246_822_519) ^ (v >>> 13)) >>> 0), { atol: 0, rtol: 0 });
  },
};

export const SMOKE_CASES: readonly ParityCase[] = [affine, workgroupSum, u32Hash];
