import type { NodeId, TensorType } from '@spikeflow/core';
import { matmulScratchBytes, multiplyItems, multiplyStatements, packAItems, packAStatements, packBItems, packBStatements, planMatmul, type MatmulPlan, type MatmulSpec } from '../kernels/matmul-forms.js';
import { planRowsMatmul, rowsMatmulItems, rowsMatmulStatements, rowsPathApplies } from '../kernels/matmul-rows.js';
import {
  planSpikeMatmul,
  spikeItems,
  spikeMatmulStatements,
  spikeMatmulUnpackedStatements,
  spikeNeedsPackedB,
  spikeTransposeItems,
  spikeTransposeScratchBytes,
  spikeTransposeStatements,
  untransposedSpikeSpec,
} from '../kernels/matmul-spike.js';
import { i32, type Expr, type LocalAllocator, type Stmt } from '../module-builder/index.js';
import { isBinary } from './binary-values.js';
import { addressIn, addValue, argOf, type KernelContext, type Lowering, type NodeOf } from './lowering.js';
import type { WasmKernelOp } from '../codegen/wasm-rules.js';
import type { KernelEmit, KernelStep } from './program.js';

/** A stage packing one operand (a node of the lowering's graph) into its packed scratch. */
export interface PackStage {
  readonly label: string;
  readonly source: NodeId;
  readonly items: number;
  readonly itemCost: number;
  readonly statements: (fn: LocalAllocator, source: Expr<'i32'>, packed: Expr<'i32'>, lo: Expr<'i32'>, hi: Expr<'i32'>) => Stmt[];
}

const at = (e: KernelEmit, value: string) => i32.const(e.offsetOf(value));

/** The kernel of a pack stage, writing into the scratch value `into`. */
function packStep(low: Lowering, node: NodeOf<WasmKernelOp>, stage: PackStage, into: NodeId): KernelStep {
  return {
    kind: 'kernel',
    label: `${node.name}/${stage.label}`,
    args: [argOf(low, stage.source), into],
    items: stage.items,
    granule: 1,
    itemCost: stage.itemCost,
    emit: (e) => stage.statements(e.fn, addressIn(low, e)(stage.source), at(e, into), e.lo, e.hi),
  };
}

/**
 * The kernels of a product over packed operands: pack A, pack B (each into a scratch temporary of
 * the memory plan), then the register-blocked multiply into the node's value. Work items are row
 * tiles and panels.
 */
export function packedProductSteps(low: Lowering, node: NodeOf<'matmul' | 'conv1d' | 'conv2d'>, out: NodeId, plan: MatmulPlan, packA: PackStage, packB: PackStage): KernelStep[] {
  const scratch = matmulScratchBytes(plan);
  const packed = [`${out}/packedA`, `${out}/packedB`] as const;
  const floats = (bytes: number): TensorType => ({ shape: [Math.max(1, bytes / 4)], dtype: 'f32' });
  addValue(low, packed[0], floats(scratch.packedA), 'temp');
  addValue(low, packed[1], floats(scratch.packedB), 'temp');
  return [
    packStep(low, node, packA, packed[0]),
    packStep(low, node, packB, packed[1]),
    {
      kind: 'kernel',
      label: node.name,
      args: [...packed, out],
      items: multiplyItems(plan),
      granule: 1,
      itemCost: plan.tiling.rows * plan.k * plan.n,
      emit: (e) => multiplyStatements(e.fn, plan, at(e, packed[0]), at(e, packed[1]), addressIn(low, e)(node.id), e.lo, e.hi),
    },
  ];
}

/** A's stage of matmul-forms: `source` packed into row tiles. */
export function packAStage(plan: MatmulPlan, source: NodeId): PackStage {
  return { label: 'packA', source, items: packAItems(plan), itemCost: plan.tiling.rows * plan.k, statements: (fn, src, dst, lo, hi) => packAStatements(fn, plan, src, dst, lo, hi) };
}

const packBStage = (plan: MatmulPlan, source: NodeId): PackStage => ({
  label: 'packB',
  source,
  items: packBItems(plan),
  itemCost: 8 * plan.k,
  statements: (fn, src, dst, lo, hi) => packBStatements(fn, plan, src, dst, lo, hi),
});

/**
 * The kernels of a `matmul` node, in any form the primitive allows (transposed operands,
 * broadcast batch dims). A left operand of spikes (only 0 and 1, see isBinary) goes through the
 * zero-skipping kernel (spikeMatmulSteps). Otherwise at most 4 rows with B as stored take the
 * unpacked rows path (one kernel, no scratch: packing B would cost as much as the product), and
 * the rest the packed product. Every path gives the packed product's bits.
 */
export function lowerMatmul({ low, node, out }: KernelContext<'matmul'>): KernelStep[] {
  const [a, b] = node.inputs as [NodeId, NodeId];
  const typeOf = (id: NodeId) => low.graph.nodes[id]!.type as TensorType;
  const spec = { aShape: typeOf(a).shape, bShape: typeOf(b).shape, transposeA: node.attrs.transposeA, transposeB: node.attrs.transposeB };
  if (low.skipSpikeZeros && isBinary(low.graph, a)) return spikeMatmulSteps(low, node, out, spec, a, b);
  const plan = planMatmul(spec);
  if (rowsPathApplies(plan)) {
    const rows = planRowsMatmul(plan);
    return [
      {
        kind: 'kernel',
        label: `${node.name}/rows`,
        args: [argOf(low, a), argOf(low, b), out],
        items: rowsMatmulItems(rows),
        granule: 1,
        itemCost: plan.m * plan.k * 4 * rows.vectors,
        emit: (e) => rowsMatmulStatements(e.fn, rows, addressIn(low, e)(a), addressIn(low, e)(b), addressIn(low, e)(node.id), e.lo, e.hi),
      },
    ];
  }
  return packedProductSteps(low, node, out, plan, packAStage(plan, a), packBStage(plan, b));
}

/**
 * Largest copy of S transposed (Sᵀ·B) the spike product makes by default (option
 * `spikeTransposeMaxBytes`): below it the copy then the one-row
 * walk (the faster route at every density measured, docs/wasm.md), above it the column walk over
 * S as stored, which needs no scratch.
 */
export const SPIKE_TRANSPOSE_MAX_BYTES = 64 * 2 ** 20;

/**
 * The zero-skipping product S·B: per output row only the k of its spikes visit B. S stored
 * transposed (Sᵀ·B, a backward pass) is first copied to [..., M, K] when that copy is affordable;
 * B is read as stored unless it is stored transposed ([..., N, K]), which is packed first.
 */
function spikeMatmulSteps(low: Lowering, node: NodeOf<'matmul'>, out: NodeId, spec: MatmulSpec, a: NodeId, b: NodeId): KernelStep[] {
  const steps: KernelStep[] = [];
  const stored = planSpikeMatmul(spec);
  let plan = stored;
  let spikes: (e: KernelEmit) => Expr<'i32'> = (e) => addressIn(low, e)(a);
  let spikesValue = argOf(low, a);
  if (stored.transposeA && spikeTransposeScratchBytes(stored) <= low.spikeTransposeMaxBytes) {
    const copy = `${out}/spikesT`;
    addValue(low, copy, { shape: [Math.max(1, spikeTransposeScratchBytes(stored) / 4)], dtype: 'f32' }, 'temp');
    steps.push({
      kind: 'kernel',
      label: `${node.name}/spikesT`,
      args: [argOf(low, a), copy],
      items: spikeTransposeItems(stored),
      granule: 1,
      itemCost: stored.k,
      emit: (e) => spikeTransposeStatements(e.fn, stored, addressIn(low, e)(a), at(e, copy), e.lo, e.hi),
    });
    plan = planSpikeMatmul(untransposedSpikeSpec(spec));
    spikes = (e) => at(e, copy);
    spikesValue = copy;
  }
  const spikeStep = (bValue: NodeId, emit: (e: KernelEmit) => Stmt[]): KernelStep => ({
    kind: 'kernel',
    label: `${node.name}/spikes`,
    args: [spikesValue, bValue, out],
    items: spikeItems(plan),
    granule: 1,
    itemCost: plan.k * 4,
    emit,
  });
  if (!spikeNeedsPackedB(plan)) {
    steps.push(spikeStep(argOf(low, b), (e) => spikeMatmulUnpackedStatements(e.fn, plan, spikes(e), addressIn(low, e)(b), addressIn(low, e)(node.id), e.lo, e.hi)));
    return steps;
  }
  const packedB = `${out}/packedB`;
  addValue(low, packedB, { shape: [Math.max(1, matmulScratchBytes(plan).packedB / 4)], dtype: 'f32' }, 'temp');
  steps.push(packStep(low, node, packBStage(plan, b), packedB));
  steps.push(spikeStep(packedB, (e) => spikeMatmulStatements(e.fn, plan, spikes(e), at(e, packedB), addressIn(low, e)(node.id), e.lo, e.hi)));
  return steps;
}
