/** Element types. `bool` holds 0/1; integer types wrap modulo 2^32 as on the GPU. */
export type DType = 'f32' | 'i32' | 'u32' | 'bool';
export declare const DTYPES: readonly DType[];
export declare function isDType(x: unknown): x is DType;
export declare function isFloat(dtype: DType): boolean;
export declare function isInteger(dtype: DType): boolean;
