// SIMD instructions the kernel generators need beyond ops.ts (kept apart so both files can grow
// without touching each other). Opcodes from the fixed-width SIMD proposal (merged into 2.0).
import type { Expr } from './types.js';

/** `v128.any_true`: 1 if any bit of the vector is set, else 0. */
export const v128_any_true = (v: Expr<'v128'>): Expr<'i32'> => ({
  type: 'i32',
  write(out, scope) {
    v.write(out, scope);
    out.byte(0xfd).u32(0x53);
  },
});
