// The proxy side of the page backend: a TrainBackend a page's main thread can use although the
// WebAssembly backend's thread 0 blocks in Atomics.wait, which a main thread may not do. Every
// call goes by message to one dedicated worker that runs the backend (page-backend-worker.ts).
import { graphToJSON, type Graph, type HostTensor, type NamedFeeds, type Runner, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { fromWireError, type CompileReply, type MessageEndpoint, type OpenReply, type PageEnvelope, type PageReply, type PageRequest } from './page-protocol.js';

/** A TrainBackend whose work runs in another thread; `close` ends that thread. */
export interface PageBackend extends TrainBackend {
  /** The threads the backend runs on (1 where the page cannot share memory with workers). */
  readonly threads: number;
  /** Whether the worker could share memory with its pool workers (a cross-origin-isolated page). */
  readonly crossOriginIsolated: boolean;
  /** Ends the worker; calls waiting for an answer, and every later call, reject. */
  close(): void;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/**
 * The calls in flight. Replies come in the order of the calls, so a call nobody awaits (`step`,
 * `setState`, …) has had its answer by the time the next awaited one gets its own: its error is
 * kept and the next awaited call rejects with it instead of losing it (that call itself has run).
 */
class Connection {
  private nextId = 1;
  private readonly awaited = new Map<number, Pending>();
  private readonly unawaited = new Set<number>();
  private deferred: Error | undefined;
  private broken: Error | undefined;

  constructor(private readonly endpoint: MessageEndpoint) {
    endpoint.addEventListener('message', (event) => this.receive(event.data as PageReply));
  }

  /** A call whose answer is awaited. */
  call<T>(request: PageRequest): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<T>((resolve, reject) => {
      const id = this.post(request);
      this.awaited.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** A call whose answer nobody awaits; an error in it surfaces at the next awaited call. */
  send(request: PageRequest): void {
    if (this.broken) {
      this.deferred ??= this.broken;
      return;
    }
    this.unawaited.add(this.post(request));
  }

  /** The worker is gone: every call waiting, and every later one, rejects with `error`. */
  fail(error: Error): void {
    this.broken ??= error;
    for (const pending of this.awaited.values()) pending.reject(this.broken);
    this.awaited.clear();
    this.unawaited.clear();
  }

  private post(request: PageRequest): number {
    const id = this.nextId++;
    this.endpoint.postMessage({ ...request, id } satisfies PageEnvelope, []);
    return id;
  }

  private receive(reply: PageReply): void {
    if (this.unawaited.delete(reply.id)) {
      if (!reply.ok) this.deferred ??= fromWireError(reply.error);
      return;
    }
    const pending = this.awaited.get(reply.id);
    if (pending === undefined) return;
    this.awaited.delete(reply.id);
    const earlier = this.deferred;
    this.deferred = undefined;
    if (earlier !== undefined) pending.reject(earlier);
    else if (reply.ok) pending.resolve(reply.value);
    else pending.reject(fromWireError(reply.error));
  }
}

function stepRunner(connection: Connection, { handle, countsNonFinite }: CompileReply): StepRunner {
  const runner: StepRunner = {
    step: (inputs) => connection.send({ method: 'step', handle, inputs }),
    stepWithLoss: (inputs) => connection.call<number>({ method: 'stepWithLoss', handle, inputs }),
    readState: (names) => connection.call<Record<string, HostTensor>>({ method: 'readState', handle, ...(names === undefined ? {} : { names }) }),
    setState: (values) => connection.send({ method: 'setState', handle, values }),
    destroy: () => connection.send({ method: 'destroy', handle }),
  };
  // Optional in StepRunner: without it the trainer reads the state and counts here.
  return countsNonFinite ? { ...runner, countNonFinite: (names) => connection.call<Record<string, number>>({ method: 'countNonFinite', handle, names }) } : runner;
}

function forwardRunner(connection: Connection, { handle }: CompileReply): Runner {
  return {
    run: (inputs: NamedFeeds) => connection.call<Record<string, HostTensor>>({ method: 'run', handle, inputs }),
    setParams: (values) => connection.send({ method: 'setParams', handle, values }),
    resetState: () => connection.send({ method: 'resetState', handle }),
    destroy: () => connection.send({ method: 'destroy', handle }),
  };
}

/**
 * A PageBackend over `endpoint`, once the host there has opened its backend on `threads` threads.
 * `onFailure` is handed a function to call when the other side dies (a worker's error event);
 * `close` ends it.
 */
export async function connectPageBackend(endpoint: MessageEndpoint, threads: number, close: () => void, onFailure?: (fail: (error: Error) => void) => void): Promise<PageBackend> {
  const connection = new Connection(endpoint);
  onFailure?.((error) => connection.fail(error));
  let opened: OpenReply;
  try {
    opened = await connection.call<OpenReply>({ method: 'open', threads });
  } catch (error) {
    close();
    throw error;
  }
  return {
    name: 'wasm',
    threads: opened.threads,
    crossOriginIsolated: opened.crossOriginIsolated,
    compile: async (graph: Graph, { seed } = {}) => forwardRunner(connection, await connection.call<CompileReply>({ method: 'compile', graph: graphToJSON(graph), ...(seed === undefined ? {} : { seed }) })),
    compileTrainStep: async (graph: Graph, { seed, loss } = {}) =>
      stepRunner(connection, await connection.call<CompileReply>({ method: 'compileTrainStep', graph: graphToJSON(graph), ...(seed === undefined ? {} : { seed }), ...(loss === undefined ? {} : { loss }) })),
    close() {
      connection.fail(new Error('the page backend was closed'));
      close();
    },
  };
}

/**
 * How many threads the WebAssembly backend may use on this page: every core where the page is
 * cross-origin isolated (threads share memory through SharedArrayBuffer, which needs it), else 1,
 * with the reason in words (`WasmOffer.limitation` of chooseTrainBackend).
 */
export function pageWasmThreads(): { readonly threads: number; readonly limitation?: string } {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
  if (globalThis.crossOriginIsolated === true) return { threads: cores };
  return { threads: 1, limitation: `1 thread of ${cores}: the page is not cross-origin isolated, so its workers cannot share memory (serve it with COOP same-origin and COEP require-corp)` };
}

export interface PageWasmBackendOptions {
  /** The module worker's script: one that calls `servePageWasmBackend()` (a bundle the page's server serves). */
  readonly workerUrl: string | URL;
  /** Threads of the backend; `pageWasmThreads()` by default. */
  readonly threads?: number;
}

/**
 * The WebAssembly backend for a page's main thread: one dedicated module worker runs
 * `webWasmBackend` (its pool workers nested in it) and this side sends it the calls. Resolves once
 * the worker has opened the backend; a worker that fails to load rejects here.
 */
export function pageWasmBackend(options: PageWasmBackendOptions): Promise<PageBackend> {
  const worker = new Worker(options.workerUrl, { type: 'module', name: 'spikeflow wasm backend' });
  return connectPageBackend(worker, options.threads ?? pageWasmThreads().threads, () => worker.terminate(), (fail) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      worker.terminate();
      fail(new Error(`the WebAssembly backend's worker (${String(options.workerUrl)}) failed: ${event.message || 'its script did not load'}`));
    });
    worker.addEventListener('messageerror', () => fail(new Error("the WebAssembly backend's worker sent a message that could not be read")));
  });
}
