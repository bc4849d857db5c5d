import { fail } from '../errors.js';
import { allocTensor } from '../host-tensor.js';
import { formatType, sizeOf, type TensorType } from '../types.js';
import { broadcastStrides } from './broadcast-index.js';
import { broadcastOrFail, expectArity, expectDType } from './checks.js';
import { convCpu, convInfer } from './conv.js';
import type { CpuTable, InferTable } from './rule-types.js';
import { stridedOffsets } from './shape.js';
import type { PrimitiveAttrs } from '../graph.js';

/** Linear algebra: batched `matmul` here, the convolutions in conv.ts. */

type LinalgOp = 'matmul' | 'conv1d' | 'conv2d';

/** Logical [rows, cols] of a matrix operand stored as `[..., r, c]`, read transposed or not. */
function matrixDims(t: TensorType, transposed: boolean): [number, number] {
  const [r, c] = t.shape.slice(-2) as [number, number];
  return transposed ? [c, r] : [r, c];
}

function inferMatmul(inputs: readonly TensorType[], attrs: PrimitiveAttrs['matmul'], where: string): TensorType {
  expectArity(inputs, 2, where, 'matmul');
  const [a, b] = inputs as [TensorType, TensorType];
  for (const flag of ['transposeA', 'transposeB'] as const) {
    if (typeof attrs[flag] !== 'boolean') fail('attr', where, `matmul ${flag} must be a boolean`, 'true or false', JSON.stringify(attrs[flag]));
  }
  expectDType(a, ['f32'], where, 'matmul operand a');
  expectDType(b, ['f32'], where, 'matmul operand b');
  const layoutA = attrs.transposeA ? '[..., K, M]' : '[..., M, K]';
  const layoutB = attrs.transposeB ? '[..., N, K]' : '[..., K, N]';
  if (a.shape.length < 2) fail('shape', where, `matmul operand a must be ${layoutA}`, 'rank >= 2', formatType(a));
  if (b.shape.length < 2) fail('shape', where, `matmul operand b must be ${layoutB}`, 'rank >= 2', formatType(b));
  const [m, ka] = matrixDims(a, attrs.transposeA);
  const [kb, n] = matrixDims(b, attrs.transposeB);
  if (ka !== kb) {
    fail('shape', where, `matmul inner dimensions differ: a ${formatType(a)} as ${layoutA} has K = ${ka}, b ${formatType(b)} as ${layoutB} has K = ${kb}`, `K = ${ka}`, `K = ${kb}`);
  }
  const batch = broadcastOrFail([a.shape.slice(0, -2), b.shape.slice(0, -2)], where, 'matmul batch');
  return { shape: [...batch, m, n], dtype: 'f32' };
}

export const linalgInfer: InferTable<LinalgOp> = {
  matmul: inferMatmul,
  ...convInfer,
};

export const linalgCpu: CpuTable<LinalgOp> = {
  matmul: ([a, b], attrs, type, ctx) => {
    const t = type as TensorType;
    const [m, k] = matrixDims(a!.type, attrs.transposeA);
    const n = t.shape[t.shape.length - 1]!;
    const batch = t.shape.slice(0, -2);
    // Where each operand's batch matrix starts (stride 0 along broadcast batch axes).
    const aStarts = stridedOffsets(batch, broadcastStrides(a!.type.shape.slice(0, -2), batch).map((s) => s * m * k));
    const bStarts = stridedOffsets(batch, broadcastStrides(b!.type.shape.slice(0, -2), batch).map((s) => s * k * n));
    // Element strides of the logical a[i, p] and b[p, j] in their stored layouts.
    const [aRow, aCol] = attrs.transposeA ? [1, m] : [k, 1];
    const [bRow, bCol] = attrs.transposeB ? [1, k] : [n, 1];
    const out = allocTensor(t, ctx.precision);
    const [x, y] = [a!.data, b!.data];
    for (let q = 0; q < sizeOf(batch); q++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let acc = 0; // float64, rounded once when stored
          for (let p = 0; p < k; p++) acc += x[aStarts[q]! + i * aRow + p * aCol]! * y[bStarts[q]! + p * bRow + j * bCol]!;
          out.data[(q * m + i) * n + j] = acc;
        }
      }
    }
    return out;
  },
  ...convCpu,
};
