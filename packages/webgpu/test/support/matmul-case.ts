// One matmul compiled for WebGPU and run against the CPU interpreter in float64: the kernels the
// compiler chose and the worst error relative to the output's scale. Shared by the matmul tests.
import { evaluate, sizeOf, toArray, trace, type Shape } from '@spikeflow/core';
import { compile } from '../../src/index.js';
import { testData } from '../../../../test/support/test-data.js';

export interface MatmulCase {
  readonly a: Shape;
  readonly b: Shape;
  readonly transposeA?: boolean;
  readonly transposeB?: boolean;
}

export interface MatmulRun {
  readonly kernels: readonly string[];
  readonly length: number;
  readonly expectedLength: number;
  /** max |got − want| / max(1, max |want|). */
  readonly scaledError: number;
}

export async function runMatmulCase(device: GPUDevice, c: MatmulCase, seed: number): Promise<MatmulRun> {
  const flags = { transposeA: c.transposeA ?? false, transposeB: c.transposeB ?? false };
  const graph = trace((g) => ({ y: g.input('a', c.a).matmul(g.input('b', c.b), flags) }));
  const inputs = { a: testData(seed, sizeOf(c.a), -1, 1), b: testData(seed + 1, sizeOf(c.b), -1, 1) };
  const want = toArray(evaluate(graph, { inputs }, { precision: 'f64' }).outputs.y!);
  const exe = await compile(graph, device);
  const kernels = exe.stats.kernels.map((k) => k.kind);
  const got = toArray((await exe.run(inputs)).y!);
  exe.destroy();
  const scale = Math.max(1, ...want.map(Math.abs));
  const worst = Math.max(...want.map((w, i) => Math.abs(w - got[i]!)));
  return { kernels, length: got.length, expectedLength: want.length, scaledError: worst / scale };
}
