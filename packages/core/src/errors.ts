/**
 * The one error type of spikeflow. Every rejection of bad input carries a machine-readable
 * code, the scope path of the node or the name of the field at fault, and what was expected
 * versus what was found, so that a message speaks the user's words.
 */
export type ErrorCode =
  | 'shape'
  | 'dtype'
  | 'attr'
  | 'arity'
  | 'unknown-op'
  | 'cycle'
  | 'missing-node'
  | 'json'
  | 'schema'
  | 'feed'
  | 'scan'
  | 'custom-vjp'
  | 'interface'
  | 'nan'
  | 'spec'
  | 'device'
  | 'checkpoint'
  | 'limit';

export interface SpikeflowErrorDetails {
  readonly code: ErrorCode;
  /** Scope path of the node (e.g. `lsnn/rec/alif/add`) or the name of the field at fault. */
  readonly where: string;
  readonly message: string;
  readonly expected?: string;
  readonly found?: string;
}

export class SpikeflowError extends Error {
  readonly code: ErrorCode;
  readonly where: string;
  readonly expected: string | undefined;
  readonly found: string | undefined;

  constructor(details: SpikeflowErrorDetails) {
    const parts = [`[${details.code}] at '${details.where}': ${details.message}`];
    if (details.expected !== undefined) parts.push(`expected ${details.expected}`);
    if (details.found !== undefined) parts.push(`found ${details.found}`);
    super(parts.join('; '));
    this.name = 'SpikeflowError';
    this.code = details.code;
    this.where = details.where;
    this.expected = details.expected;
    this.found = details.found;
  }
}

export function fail(
  code: ErrorCode,
  where: string,
  message: string,
  expected?: string,
  found?: string,
): never {
  throw new SpikeflowError({ code, where, message, expected, found });
}
