import { i32, type Expr, type Stmt } from '../module-builder/index.js';
import { memory_copy } from '../module-builder/ops-kernels.js';
import type { KernelEmit, KernelStep } from './program.js';

/**
 * A kernel copying `elements` 4-byte words from `from` to `to`, each an address computed when the
 * kernel is emitted (a per-step slice inside a step loop, or a whole value). Work items are
 * elements; items [lo, hi) are one `memory.copy`, which the engine runs as a bulk move.
 */
export function copyKernel(label: string, args: readonly string[], elements: number, from: (e: KernelEmit) => Expr<'i32'>, to: (e: KernelEmit) => Expr<'i32'>): KernelStep {
  return {
    kind: 'kernel',
    label,
    args,
    items: elements,
    granule: 4,
    itemCost: 1,
    emit: (e): Stmt[] => {
      const byte = (base: Expr<'i32'>, index: Expr<'i32'>) => i32.add(base, i32.shl(index, i32.const(2)));
      return [memory_copy(byte(to(e), e.lo), byte(from(e), e.lo), i32.shl(i32.sub(e.hi, e.lo), i32.const(2)))];
    },
  };
}
