import type { TensorType } from '@spikeflow/core';
import { matmulScratchBytes, multiplyItems, multiplyStatements, packAItems, packAStatements, packBItems, packBStatements, planMatmul } from '../kernels/matmul-forms.js';
import { i32 } from '../module-builder/index.js';
import { addressIn, addValue, argOf, type KernelContext } from './lowering.js';
import type { KernelEmit, KernelStep } from './program.js';

/**
 * The kernels of a `matmul` node, in any form the primitive allows (transposed operands, broadcast
 * batch dims): pack A into row tiles, pack B into column panels (both into scratch temporaries),
 * then the register-blocked multiply over the packed operands; work items are row tiles and panels.
 */
export function lowerMatmul({ low, node, out }: KernelContext<'matmul'>): KernelStep[] {
  const [a, b] = node.inputs as [string, string];
  const typeOf = (id: string) => low.graph.nodes[id]!.type as TensorType;
  const plan = planMatmul({ aShape: typeOf(a).shape, bShape: typeOf(b).shape, transposeA: node.attrs.transposeA, transposeB: node.attrs.transposeB });
  const scratch = matmulScratchBytes(plan);
  const packedA = `${out}/packedA`;
  const packedB = `${out}/packedB`;
  const floats = (bytes: number): TensorType => ({ shape: [Math.max(1, bytes / 4)], dtype: 'f32' });
  addValue(low, packedA, floats(scratch.packedA), 'temp');
  addValue(low, packedB, floats(scratch.packedB), 'temp');
  const at = (e: KernelEmit, value: string) => i32.const(e.offsetOf(value));
  const tileWork = plan.tiling.rows * plan.k;
  return [
    {
      kind: 'kernel',
      label: `${node.name}/packA`,
      args: [argOf(low, a), packedA],
      items: packAItems(plan),
      granule: 1,
      itemCost: tileWork,
      emit: (e) => packAStatements(e.fn, plan, addressIn(low, e)(a), at(e, packedA), e.lo, e.hi),
    },
    {
      kind: 'kernel',
      label: `${node.name}/packB`,
      args: [argOf(low, b), packedB],
      items: packBItems(plan),
      granule: 1,
      itemCost: 8 * plan.k,
      emit: (e) => packBStatements(e.fn, plan, addressIn(low, e)(b), at(e, packedB), e.lo, e.hi),
    },
    {
      kind: 'kernel',
      label: node.name,
      args: [packedA, packedB, out],
      items: multiplyItems(plan),
      granule: 1,
      itemCost: tileWork * plan.n,
      emit: (e) => multiplyStatements(e.fn, plan, at(e, packedA), at(e, packedB), addressIn(low, e)(node.id), e.lo, e.hi),
    },
  ];
}
