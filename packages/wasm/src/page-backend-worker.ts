// The host side of the page backend: runs in the dedicated worker (or, in a test, on any message
// port), answers the proxy's calls (page-backend.ts) one at a time, in the order they came, with a
// backend it makes on `open` (the WebAssembly backend on its own pool workers, see web.ts).
import { fail, graphFromJSON, type Runner, type StepRunner, type TrainBackend } from '@spikeflow/core';
import { ownedBuffers, toWireError, type CompileReply, type MessageEndpoint, type OpenReply, type PageEnvelope, type PageReply, type PageRequest } from './page-protocol.js';

interface Runners {
  readonly step: StepRunner;
  readonly forward: Runner;
}
type Compiled = { [K in keyof Runners]: { readonly kind: K; readonly runner: Runners[K] } }[keyof Runners];

/** A reply's value and the buffers it may move rather than copy. */
type Answer = readonly [value: unknown, transfer: Transferable[]];

/** Whether this thread may share memory with worker threads (a browser worker of a cross-origin-isolated page, Node, Deno). */
function canShareMemory(): boolean {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return typeof SharedArrayBuffer === 'function' && isolated !== false;
}

/**
 * Serves the page backend's calls arriving on `endpoint`: `open` makes the backend with
 * `create(threads)` (1 thread where memory cannot be shared), the rest act on the runners it
 * compiles. Every call is answered exactly once, errors included, so a call the page does not await
 * (`step`) still reports its failure; a call that arrives unreadable (`messageerror`) is answered
 * with an error too. Where even an error reply cannot be sent the port is unusable: `onUnusable`
 * gets one error saying so (the worker's body rethrows it, which the page sees as the worker's
 * `error` event and rejects every pending call with), and later calls are still served.
 */
export function servePageBackend(endpoint: MessageEndpoint, create: (threads: number) => TrainBackend | Promise<TrainBackend>, onUnusable: (error: Error) => void = reportAsync): void {
  let backend: TrainBackend | undefined;
  const compiled = new Map<number, Compiled>();
  let nextHandle = 1;
  let queue = Promise.resolve();

  const runnerOf = <K extends keyof Runners>(handle: number, kind: K, method: string): Runners[K] => {
    const found = compiled.get(handle);
    if (found === undefined) fail('interface', method, `no runner ${handle} (destroyed, or never compiled)`);
    if (found.kind !== kind) fail('interface', method, `runner ${handle} is a ${found.kind === 'step' ? 'training step' : 'forward runner'}`);
    return found.runner as Runners[K];
  };
  const opened = (method: string): TrainBackend => backend ?? fail('interface', method, 'the backend is not open yet');
  const keep = (entry: Compiled, countsNonFinite: boolean): Answer => {
    const handle = nextHandle++;
    compiled.set(handle, entry);
    return [{ handle, countsNonFinite } satisfies CompileReply, []];
  };

  async function answer(request: PageRequest): Promise<Answer> {
    switch (request.method) {
      case 'open': {
        if (backend !== undefined) fail('interface', 'open', 'the backend is already open');
        const threads = canShareMemory() ? request.threads : 1;
        backend = await create(threads);
        return [{ threads, crossOriginIsolated: canShareMemory() } satisfies OpenReply, []];
      }
      case 'compile': {
        const runner = await opened('compile').compile(graphFromJSON(request.graph), request.seed === undefined ? {} : { seed: request.seed });
        return keep({ kind: 'forward', runner }, false);
      }
      case 'compileTrainStep': {
        const { seed, loss } = request;
        const runner = await opened('compileTrainStep').compileTrainStep(graphFromJSON(request.graph), { ...(seed === undefined ? {} : { seed }), ...(loss === undefined ? {} : { loss }) });
        return keep({ kind: 'step', runner }, runner.countNonFinite !== undefined);
      }
      case 'step':
        runnerOf(request.handle, 'step', 'step').step(request.inputs);
        return [null, []];
      case 'stepWithLoss':
        return [await runnerOf(request.handle, 'step', 'stepWithLoss').stepWithLoss(request.inputs), []];
      case 'readState': {
        const state = await runnerOf(request.handle, 'step', 'readState').readState(request.names);
        return [state, ownedBuffers(state)];
      }
      case 'setState':
        runnerOf(request.handle, 'step', 'setState').setState(request.values);
        return [null, []];
      case 'countNonFinite': {
        const runner = runnerOf(request.handle, 'step', 'countNonFinite');
        if (runner.countNonFinite === undefined) fail('interface', 'countNonFinite', `the ${opened('countNonFinite').name} backend does not count non-finite values itself`);
        return [await runner.countNonFinite(request.names), []];
      }
      case 'run': {
        const outputs = await runnerOf(request.handle, 'forward', 'run').run(request.inputs);
        return [outputs, ownedBuffers(outputs)];
      }
      case 'setParams':
        runnerOf(request.handle, 'forward', 'setParams').setParams(request.values);
        return [null, []];
      case 'resetState':
        runnerOf(request.handle, 'forward', 'resetState').resetState();
        return [null, []];
      case 'destroy': {
        const found = compiled.get(request.handle);
        compiled.delete(request.handle);
        found?.runner.destroy();
        return [null, []];
      }
      default:
        return fail('interface', 'method', 'unknown page backend call', 'open, compile, compileTrainStep, step, …', String((request as { method: unknown }).method));
    }
  }

  /** Sends `message`; a reply that cannot be sent (a value structured clone refuses) is answered with that error instead. */
  function post(message: PageReply, transfer: Transferable[]): void {
    try {
      endpoint.postMessage(message, transfer);
    } catch (error) {
      endpoint.postMessage({ id: message.id, ok: false, error: toWireError(error) } satisfies PageReply, []);
    }
  }

  /** Answers one call. */
  async function reply(request: PageEnvelope): Promise<void> {
    try {
      const [value, buffers] = await answer(request);
      post({ id: request.id, ok: true, value }, buffers);
    } catch (error) {
      post({ id: request.id, ok: false, error: toWireError(error) }, []);
    }
  }

  // One call at a time, in order: a step's state update is done before the next call reads it.
  // A reply that throws even as an error reply must not stop the queue: every later call is still answered.
  const enqueue = (work: () => Promise<void>, id: number): void => {
    queue = queue.then(work).catch((error: unknown) => {
      onUnusable(new Error(`the page backend could not answer call ${id} (${error instanceof Error ? error.message : String(error)}); its port is unusable`));
    });
  };
  // The proxy numbers its calls 1, 2, … and the port keeps their order, so an unreadable call is the one after the last read.
  let lastId = 0;
  endpoint.addEventListener('message', (event) => {
    const request = event.data as PageEnvelope;
    lastId = request.id;
    enqueue(() => reply(request), request.id);
  });
  endpoint.addEventListener('messageerror', () => {
    const id = ++lastId;
    const error = toWireError(new Error(`call ${id} could not be read by the page backend's worker (structured clone failed)`));
    enqueue(async () => post({ id, ok: false, error }, []), id);
  });
}

/** Throws `error` outside any promise: in a worker that is an `error` event on the page's Worker object. */
function reportAsync(error: Error): void {
  setTimeout(() => {
    throw error;
  });
}
