// The messages between a page's main thread (page-backend.ts, the proxy) and the worker that runs
// the WebAssembly backend for it (page-backend-worker.ts, the host). Graphs cross as core's graph
// JSON; feeds, params, state and outputs as host tensors, which structured clone copies.
import { SpikeflowError, type ErrorCode, type HostTensor, type NamedFeeds } from '@spikeflow/core';

/** A message end: a Worker, a worker's global scope, or a MessagePort. */
export interface MessageEndpoint {
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** `messageerror`: a message arrived that could not be deserialized. */
  addEventListener(type: 'message' | 'messageerror', listener: (event: MessageEvent) => void): void;
}

/** One call, by method; `handle` names a runner the host compiled earlier. */
export type PageRequest =
  | { readonly method: 'open'; readonly threads: number }
  | { readonly method: 'compile'; readonly graph: string; readonly seed?: number }
  | { readonly method: 'compileTrainStep'; readonly graph: string; readonly seed?: number; readonly loss?: string }
  | { readonly method: 'step' | 'stepWithLoss' | 'run'; readonly handle: number; readonly inputs: NamedFeeds }
  | { readonly method: 'setState' | 'setParams'; readonly handle: number; readonly values: NamedFeeds }
  | { readonly method: 'readState'; readonly handle: number; readonly names?: readonly string[] }
  | { readonly method: 'countNonFinite'; readonly handle: number; readonly names: readonly string[] }
  | { readonly method: 'resetState' | 'destroy'; readonly handle: number };

export type PageMethod = PageRequest['method'];

/** A request with its sequence number; the host answers every one, in the order sent. */
export type PageEnvelope = PageRequest & { readonly id: number };

/** What `open` answers: the threads the backend runs on, and whether the worker could share memory. */
export interface OpenReply {
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
}

/** What a compile answers: the runner's handle, and whether it counts non-finite values itself. */
export interface CompileReply {
  readonly handle: number;
  readonly countsNonFinite: boolean;
}

/** An error as it crosses: enough to rebuild a SpikeflowError with its code, field and message. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly spikeflow?: { readonly code: ErrorCode; readonly where: string; readonly expected?: string; readonly found?: string };
}

export type PageReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: WireError };

export function toWireError(error: unknown): WireError {
  if (error instanceof SpikeflowError) {
    const { code, where, expected, found } = error;
    return { name: error.name, message: error.message, spikeflow: { code, where, ...(expected === undefined ? {} : { expected }), ...(found === undefined ? {} : { found }) } };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * The error a WireError describes: a SpikeflowError with the same code, field and message where it
 * was one (so `instanceof` and `code` checks still work on this side), else an Error.
 */
export function fromWireError(wire: WireError): Error {
  const s = wire.spikeflow;
  if (s !== undefined) {
    // SpikeflowError writes `[code] at 'where': message; expected …; found …`: strip the parts it adds back.
    const head = `[${s.code}] at '${s.where}': `;
    const tail = `${s.expected === undefined ? '' : `; expected ${s.expected}`}${s.found === undefined ? '' : `; found ${s.found}`}`;
    if (wire.message.startsWith(head) && wire.message.endsWith(tail)) {
      return new SpikeflowError({ ...s, message: wire.message.slice(head.length, wire.message.length - tail.length) });
    }
  }
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}

/**
 * The buffers of tensors the sender made for this reply (copies out of the kernels' memory), to move
 * instead of copy. Only a buffer a tensor spans whole is moved: a view into a larger buffer may
 * share it with something the sender keeps.
 */
export function ownedBuffers(tensors: Readonly<Record<string, HostTensor>>): Transferable[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { data } of Object.values(tensors)) {
    if (data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) buffers.add(data.buffer);
  }
  return [...buffers];
}
