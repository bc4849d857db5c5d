// Instructions the kernel generators need beyond ops.ts (kept apart so both files can grow
// without touching each other). Opcodes from the fixed-width SIMD and bulk memory proposals (both merged into 2.0).
import type { Expr, Stmt } from './types.js';

/** `v128.any_true`: 1 if any bit of the vector is set, else 0. */
export const v128_any_true = (v: Expr<'v128'>): Expr<'i32'> => ({
  type: 'i32',
  write(out, scope) {
    v.write(out, scope);
    out.byte(0xfd).u32(0x53);
  },
});

/**
 * `memory.copy` (bulk memory, WebAssembly 2.0): copies `bytes` bytes from `src` to `dst` within the
 * one memory, as if through a temporary buffer (overlap allowed); traps if either range leaves it.
 */
export const memory_copy = (dst: Expr<'i32'>, src: Expr<'i32'>, bytes: Expr<'i32'>): Stmt => ({
  stmt: true,
  write(out, scope) {
    dst.write(out, scope);
    src.write(out, scope);
    bytes.write(out, scope);
    // 0xfc 10, then the destination's and the source's memory index (both memory 0).
    out.byte(0xfc).u32(0x0a).byte(0x00).byte(0x00);
  },
});
