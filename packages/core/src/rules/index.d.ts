import type { CpuTable, InferTable } from './rule-types.js';
/** Shape and dtype rules of every primitive. Typed exhaustively: a missing rule fails tsc. */
export declare const inferRules: InferTable;
/** Reference semantics of every primitive on host arrays. Typed exhaustively. */
export declare const cpuRules: CpuTable;
