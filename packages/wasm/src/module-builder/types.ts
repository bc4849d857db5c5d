import type { ByteWriter } from './bytes.js';

/** The value types a kernel uses (i64 for 32 × 32 → 64-bit products, f64 for pow's extra precision). */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

export const VAL_TYPE_CODE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** The labels in scope while a function body is written, innermost last. */
export type LabelScope = readonly Label[];

/**
 * An expression that leaves exactly one value of type `T` on the stack. Expressions are built as
 * trees by the op factories (ops.ts), whose TypeScript signatures only accept operands of the
 * right type: a kernel generator cannot build an ill-typed stack, and the tree is written out in
 * stack order when the module is encoded.
 */
export interface Expr<T extends ValType> {
  readonly type: T;
  write(out: ByteWriter, scope: LabelScope): void;
}

/** An instruction sequence that leaves the stack as it found it. */
export interface Stmt {
  readonly stmt: true;
  write(out: ByteWriter, scope: LabelScope): void;
}

/** The target of `br`/`br_if`: a block (branch to its end) or a loop (branch to its start). */
export class Label {
  constructor(readonly kind: 'block' | 'loop' | 'if') {}
}

/** A local (a parameter or a declared local) of a known type. */
export class Local<T extends ValType> {
  constructor(
    readonly type: T,
    readonly index: number,
  ) {}
}

/** Alignment and static offset of a memory access; `align` in bytes (a power of two, at most the access size). */
export interface MemArg {
  readonly offset?: number;
  readonly align?: number;
}

/** What a kernel generator needs of a function under construction: new locals. */
export interface LocalAllocator {
  local<T extends ValType>(type: T): Local<T>;
}

/** A function of the module that generated code may call: its index, parameter types and result type. */
export interface Callee<A extends readonly ValType[], R extends ValType> {
  readonly name: string;
  readonly index: number;
  readonly params: A;
  readonly result: R;
}

/** The operands of a call to a function with parameter types `A`, one typed expression each. */
export type Args<A extends readonly ValType[]> = { readonly [K in keyof A]: Expr<A[K]> };
