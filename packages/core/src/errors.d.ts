/**
 * The one error type of spikeflow. Every rejection of bad input carries a machine-readable
 * code, the scope path of the node or the name of the field at fault, and what was expected
 * versus what was found, so that a message speaks the user's words.
 */
export type ErrorCode = 'shape' | 'dtype' | 'attr' | 'arity' | 'unknown-op' | 'cycle' | 'missing-node' | 'json' | 'schema' | 'feed' | 'scan' | 'custom-vjp' | 'interface' | 'nan' | 'spec' | 'device' | 'checkpoint';
export interface SpikeflowErrorDetails {
    readonly code: ErrorCode;
    /** Scope path of the node (e.g. `lsnn/rec/alif/add`) or the name of the field at fault. */
    readonly where: string;
    readonly message: string;
    readonly expected?: string;
    readonly found?: string;
}
export declare class SpikeflowError extends Error {
    readonly code: ErrorCode;
    readonly where: string;
    readonly expected: string | undefined;
    readonly found: string | undefined;
    constructor(details: SpikeflowErrorDetails);
}
export declare function fail(code: ErrorCode, where: string, message: string, expected?: string, found?: string): never;
