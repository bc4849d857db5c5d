/** Element types. `bool` holds 0/1; integer types wrap modulo 2^32 as on the GPU. */
export type DType = 'f32' | 'i32' | 'u32' | 'bool';

export const DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'bool'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && (DTYPES as readonly string[]).includes(x);
}

export function isFloat(dtype: DType): boolean {
  return dtype === 'f32';
}

export function isInteger(dtype: DType): boolean {
  return dtype === 'i32' || dtype === 'u32';
}
