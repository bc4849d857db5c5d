import { get, i32, set, type Expr, type Stmt } from '../module-builder/index.js';
import { forRange } from '../kernels/loops.js';
import type { KernelEmit, KernelStep } from './program.js';

/**
 * A kernel copying `elements` 4-byte words from `from` to `to`, each an address computed when the
 * kernel is emitted (a per-step slice inside a step loop, or a whole value). Work items are elements.
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
      const i = e.fn.local('i32');
      const src = e.fn.local('i32');
      const dst = e.fn.local('i32');
      const byte = (base: Expr<'i32'>) => i32.add(base, i32.shl(get(i), i32.const(2)));
      return [
        set(src, from(e)),
        set(dst, to(e)),
        ...forRange(i, e.lo, e.hi, 1, [i32.store(byte(get(dst)), i32.load(byte(get(src))))]),
      ];
    },
  };
}
