// An inner one-kernel scan may write a per-step output over a sequence it reads for the last time
// (compiler/scan-in-place.ts), but not over a value the enclosing step loop still needs: here the
// outer body's new carry c2 is also the inner scan's sequence. Overwriting it would carry the inner
// scan's outputs (3·c2) into the next step. Small integers: the GPU must equal the CPU bit for bit.
import { evaluate, toArray, trace } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/index.js';
import { deviceOf, skipWithoutDevice, tryNodeDevice } from './node-device.js';

const acquired = await tryNodeDevice();
const skip = skipWithoutDevice(acquired, 'the WebGPU in-place scan carry test');

describe.skipIf(skip)('in-place scan inside a step loop', () => {
  it('leaves the outer body new carry intact (forward and reverse outer scans)', async () => {
    const [L, n, T] = [3, 4, 3];
    for (const reverse of [false, true]) {
      const g = trace((b) => {
        const r = b.scan({
          carries: [b.input('c0', [L, n])],
          length: T,
          reverse,
          body: (sb, [c]) => {
            const c2 = c!.mul(2);
            const inner = sb.scan({ carries: [sb.constant(0, [n])], sequences: [c2], body: (_ib, [a], [s]) => ({ carries: [a!.add(s!)], outputs: [s!.mul(3)] }) });
            return { carries: [c2], outputs: [inner.outputs[0]!] };
          },
        });
        return { c: r.carries[0]!, ys: r.outputs[0]! };
      });
      const inputs = { c0: Array.from({ length: L * n }, (_, i) => i + 1) };
      const exe = await compile(g, deviceOf(acquired).device);
      const got = await exe.run(inputs);
      exe.destroy();
      const want = evaluate(g, { inputs }).outputs;
      for (const name of ['c', 'ys']) expect(Array.from(toArray(got[name]!)), `${name}, reverse ${reverse}`).toEqual(Array.from(toArray(want[name]!)));
    }
  });
});
