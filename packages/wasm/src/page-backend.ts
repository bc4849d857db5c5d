// The proxy side of the page backend: a TrainBackend a page's main thread can use although the
// WebAssembly backend's thread 0 blocks in Atomics.wait, which a main thread may not do. Every
// call goes by message to one dedicated worker that runs the backend (page-backend-worker.ts).
import { graphToJSON, SpikeflowError, type Graph, type HostTensor, type NamedFeeds, type Runner, type StepRunner, type TrainBackend } from '@spikeflow/core';
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

/** The methods whose answer nobody awaits; `destroy` among them reports nothing. */
type UnawaitedMethod = 'step' | 'setState' | 'setParams' | 'resetState' | 'destroy';

/**
 * One runner's calls as this side sees them: how many unawaited calls still wait for their reply,
 * the first of them that failed, and the chain an awaited call (and every call after it) waits on
 * until those replies are in.
 */
class Lane {
  inFlight = 0;
  failure: { readonly method: UnawaitedMethod; readonly error: Error } | undefined;
  /** Calls queued behind an awaited call that waits for this lane to drain. */
  queued = 0;
  tail: Promise<void> = Promise.resolve();
  private drainedWaiters: (() => void)[] = [];

  drained(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /** Wakes every waiter: the lane drained, or the connection broke (the waiters then see `broken`). */
  wake(): void {
    for (const resolve of this.drainedWaiters.splice(0)) resolve();
  }
}

/**
 * The error an awaited call rejects with when an earlier unawaited call of its runner failed: it
 * names both calls and says this one was not run (a SpikeflowError with the earlier one's code and
 * field where it was one).
 */
function earlierFailure(earlier: UnawaitedMethod, error: Error, method: string): Error {
  const message = `an earlier ${earlier} on this runner failed, so this ${method} was not run: ${error.message}`;
  if (error instanceof SpikeflowError) return new SpikeflowError({ code: error.code, where: error.where, message });
  return new Error(message);
}

/**
 * The calls in flight. The host answers in the order of the calls. A call nobody awaits (`step`,
 * `setState`, …) is sent at once; its error is kept for its runner, and the next awaited call on
 * that runner first waits for the runner's unawaited replies and, if one failed, rejects naming it
 * without being sent (so it cannot run on a state the failed call should have set). `destroy`'s
 * errors are dropped: nothing can be awaited on a destroyed runner.
 */
class Connection {
  private nextId = 1;
  private readonly awaited = new Map<number, Pending>();
  private readonly unawaited = new Map<number, { readonly lane: Lane; readonly method: UnawaitedMethod }>();
  private readonly lanes = new Map<number, Lane>();
  private broken: Error | undefined;

  constructor(private readonly endpoint: MessageEndpoint) {
    endpoint.addEventListener('message', (event) => this.receive(event.data as PageReply));
  }

  /** A call whose answer is awaited, of the backend (`open`, compiles) or of runner `handle`. */
  call<T>(request: PageRequest, handle?: number): Promise<T> {
    const lane = handle === undefined ? undefined : this.laneOf(handle);
    if (lane === undefined || (lane.inFlight === 0 && lane.queued === 0 && lane.failure === undefined)) return this.post<T>(request);
    lane.queued++;
    const result = lane.tail.then(() => lane.drained()).then(() => {
      lane.queued--;
      const failure = lane.failure;
      lane.failure = undefined;
      if (failure !== undefined && this.broken === undefined) return Promise.reject(earlierFailure(failure.method, failure.error, request.method));
      return this.post<T>(request);
    });
    // Later calls on this runner go after this one is sent (not after its answer).
    lane.tail = result.then(() => undefined, () => undefined);
    return result;
  }

  /** A call of runner `handle` whose answer nobody awaits; its error surfaces at the runner's next awaited call. */
  send(request: PageRequest & { readonly method: UnawaitedMethod }, handle: number): void {
    const lane = this.laneOf(handle);
    const post = (): void => {
      if (this.broken !== undefined) {
        if (request.method !== 'destroy') lane.failure ??= { method: request.method, error: this.broken };
        return;
      }
      lane.inFlight++;
      this.unawaited.set(this.postEnvelope(request), { lane, method: request.method });
    };
    if (lane.queued === 0) post();
    else {
      lane.queued++;
      lane.tail = lane.tail.then(() => {
        lane.queued--;
        post();
      });
    }
    if (request.method === 'destroy') this.lanes.delete(handle);
  }

  /** The worker is gone: every call waiting, and every later one, rejects with `error`. */
  fail(error: Error): void {
    this.broken ??= error;
    for (const pending of this.awaited.values()) pending.reject(this.broken);
    this.awaited.clear();
    this.unawaited.clear();
    for (const lane of this.lanes.values()) {
      lane.inFlight = 0;
      lane.wake();
    }
  }

  private laneOf(handle: number): Lane {
    let lane = this.lanes.get(handle);
    if (lane === undefined) this.lanes.set(handle, (lane = new Lane()));
    return lane;
  }

  private post<T>(request: PageRequest): Promise<T> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise<T>((resolve, reject) => {
      const id = this.postEnvelope(request);
      this.awaited.set(id, { resolve: resolve as (value: unknown) => void, reject });
    });
  }

  private postEnvelope(request: PageRequest): number {
    const id = this.nextId++;
    this.endpoint.postMessage({ ...request, id } satisfies PageEnvelope, []);
    return id;
  }

  private receive(reply: PageReply): void {
    const unawaited = this.unawaited.get(reply.id);
    if (unawaited !== undefined) {
      this.unawaited.delete(reply.id);
      const { lane, method } = unawaited;
      if (!reply.ok && method !== 'destroy') lane.failure ??= { method, error: fromWireError(reply.error) };
      if (--lane.inFlight === 0) lane.wake();
      return;
    }
    const pending = this.awaited.get(reply.id);
    if (pending === undefined) return;
    this.awaited.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(fromWireError(reply.error));
  }
}

function stepRunner(connection: Connection, { handle, countsNonFinite }: CompileReply): StepRunner {
  const runner: StepRunner = {
    step: (inputs) => connection.send({ method: 'step', handle, inputs }, handle),
    stepWithLoss: (inputs) => connection.call<number>({ method: 'stepWithLoss', handle, inputs }, handle),
    readState: (names) => connection.call<Record<string, HostTensor>>({ method: 'readState', handle, ...(names === undefined ? {} : { names }) }, handle),
    setState: (values) => connection.send({ method: 'setState', handle, values }, handle),
    destroy: () => connection.send({ method: 'destroy', handle }, handle),
  };
  // Optional in StepRunner: without it the trainer reads the state and counts here.
  return countsNonFinite ? { ...runner, countNonFinite: (names) => connection.call<Record<string, number>>({ method: 'countNonFinite', handle, names }, handle) } : runner;
}

function forwardRunner(connection: Connection, { handle }: CompileReply): Runner {
  return {
    run: (inputs: NamedFeeds) => connection.call<Record<string, HostTensor>>({ method: 'run', handle, inputs }, handle),
    setParams: (values) => connection.send({ method: 'setParams', handle, values }, handle),
    resetState: () => connection.send({ method: 'resetState', handle }, handle),
    destroy: () => connection.send({ method: 'destroy', handle }, handle),
  };
}

export interface ConnectPageBackendOptions {
  /** Threads the host should open its backend on. */
  readonly threads: number;
  /** Ends the other side (terminates the worker, closes the ports). */
  readonly close: () => void;
  /** Handed a function to call when the other side dies (a worker's error event). */
  readonly onFailure?: (fail: (error: Error) => void) => void;
  /** How long `open` may take before it fails (30 s by default): a worker that never answers must not hang the page. */
  readonly openTimeoutMs?: number;
  /** The other side in words, for errors: `the WebAssembly backend's worker (/wasm-worker.js)`. */
  readonly peer?: string;
}

/** The default of `openTimeoutMs`: loading and compiling the module takes well under a second; 30 s allows a slow network. */
export const DEFAULT_OPEN_TIMEOUT_MS = 30_000;

/** A PageBackend over `endpoint`, once the host there has opened its backend; rejects (and closes) if it fails or does not answer in time. */
export async function connectPageBackend(endpoint: MessageEndpoint, options: ConnectPageBackendOptions): Promise<PageBackend> {
  const { threads, close, onFailure, openTimeoutMs = DEFAULT_OPEN_TIMEOUT_MS, peer = 'the page backend\'s host' } = options;
  if (!(openTimeoutMs > 0)) throw new RangeError(`openTimeoutMs: ${openTimeoutMs} is not a positive number of milliseconds`);
  const connection = new Connection(endpoint);
  onFailure?.((error) => connection.fail(error));
  const timer = setTimeout(() => connection.fail(new Error(`${peer} did not open the backend within ${openTimeoutMs} ms`)), openTimeoutMs);
  let opened: OpenReply;
  try {
    opened = await connection.call<OpenReply>({ method: 'open', threads });
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
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
  /** How long loading the worker and opening the backend may take before it fails; `DEFAULT_OPEN_TIMEOUT_MS` (30 s) by default. */
  readonly openTimeoutMs?: number;
}

/**
 * The WebAssembly backend for a page's main thread: one dedicated module worker runs
 * `webWasmBackend` (its pool workers nested in it) and this side sends it the calls. Resolves once
 * the worker has opened the backend; a worker that fails to load, or does not open the backend
 * within `openTimeoutMs`, rejects here with one error naming its URL.
 */
export function pageWasmBackend(options: PageWasmBackendOptions): Promise<PageBackend> {
  const worker = new Worker(options.workerUrl, { type: 'module', name: 'spikeflow wasm backend' });
  const peer = `the WebAssembly backend's worker (${String(options.workerUrl)})`;
  return connectPageBackend(worker, {
    threads: options.threads ?? pageWasmThreads().threads,
    close: () => worker.terminate(),
    peer,
    ...(options.openTimeoutMs === undefined ? {} : { openTimeoutMs: options.openTimeoutMs }),
    onFailure: (fail) => {
      worker.addEventListener('error', (event) => {
        event.preventDefault();
        worker.terminate();
        fail(new Error(`${peer} failed: ${event.message || 'its script did not load'}`));
      });
      worker.addEventListener('messageerror', () => fail(new Error(`${peer} sent a message that could not be read`)));
    },
  });
}
