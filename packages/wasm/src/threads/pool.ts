import {
  ARG_COUNT,
  ARGS_BYTE,
  controlBytes,
  ERROR_LENGTH,
  ERROR_TEXT_BYTE,
  ERROR_TEXT_UNITS,
  EXIT_KERNEL,
  FAILED_THREAD,
  GENERATION,
  KERNEL,
  MAX_ARGS,
  PENDING,
  type WorkerInit,
} from './protocol.js';

/** A started worker running the job loop of protocol.ts. */
export interface KernelWorker {
  terminate(): Promise<unknown> | void;
}

/**
 * Starts one worker (a Node worker thread, a browser Web Worker) that runs `WORKER_LOOP_SOURCE`
 * with `init`; resolves once it has called `ready()`, i.e. instantiated the module. After that it
 * calls `onDeath` with a reason (e.g. `worker thread 2 exited (code 1)`) if the worker exits or
 * fails, so the pool stops instead of waiting on it. A worker that fails to start is terminated.
 * This is the only platform-specific part of the pool.
 */
export type SpawnKernelWorker = (init: WorkerInit, onDeath: (reason: string) => void) => Promise<KernelWorker>;

export interface ThreadPoolOptions {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly memoryImport: { readonly module: string; readonly name: string };
  /** The exports `run` may call. */
  readonly kernels: readonly string[];
  /** Threads in all, the calling one included (default 1). */
  readonly threads?: number;
  /** Needed when threads > 1. */
  readonly spawn?: SpawnKernelWorker;
  /**
   * How long `run` waits for the workers before it gives up and breaks the pool (default: no
   * limit). A worker that dies while idle is reported by its exit event at the next `run`; one that
   * dies in the middle of a kernel cannot be seen by the blocked caller (events need the event loop
   * it is blocking), so only this deadline ends that wait.
   */
  readonly timeoutMs?: number;
}

/** How long one Atomics.wait slice lasts while `run` waits for the workers. */
const WAIT_SLICE_MS = 50;

type KernelFunction = (...args: number[]) => void;

/**
 * Runs one kernel on every thread at once over a shared memory: the calling thread is thread 0
 * and runs its share itself, threads 1.. are workers, each with its own instance of the same
 * module over the same `WebAssembly.Memory`. `run` blocks (Atomics.wait) until every thread is
 * done, which Node's main thread and any worker allow; a browser page runs the pool from a worker.
 */
export class ThreadPool {
  private readonly control: Int32Array;
  private readonly args: Float64Array;
  private readonly errorText: Uint16Array;
  private running = false;
  private destroyed = false;
  /** Why the pool can no longer run (a worker died, a call ran past the deadline). */
  private brokenBecause: string | undefined;

  private constructor(
    readonly threads: number,
    private readonly kernelNames: readonly string[],
    private readonly local: readonly KernelFunction[],
    controlBuffer: ArrayBufferLike,
    private readonly workers: KernelWorker[],
    private readonly timeoutMs: number,
  ) {
    this.control = new Int32Array(controlBuffer);
    this.args = new Float64Array(controlBuffer, ARGS_BYTE, MAX_ARGS * threads);
    this.errorText = new Uint16Array(controlBuffer, ERROR_TEXT_BYTE, ERROR_TEXT_UNITS);
  }

  static async create(options: ThreadPoolOptions): Promise<ThreadPool> {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads: ${threads} is not a positive integer`);
    if (threads > 1 && options.spawn === undefined) throw new Error(`threads: ${threads} threads need a way to start workers (spawn)`);
    const timeoutMs = options.timeoutMs ?? Infinity;
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs: ${timeoutMs} is not a positive number of milliseconds`);
    const imports = { [options.memoryImport.module]: { [options.memoryImport.name]: options.memory } };
    const instance = new WebAssembly.Instance(options.module, imports);
    const local = options.kernels.map((name) => {
      const fn = instance.exports[name];
      if (typeof fn !== 'function') throw new Error(`kernel ${name}: the module exports no such function`);
      return fn as KernelFunction;
    });
    // One thread shares nothing: a page that is not cross-origin isolated has no SharedArrayBuffer.
    const control = threads === 1 ? new ArrayBuffer(controlBytes(threads)) : new SharedArrayBuffer(controlBytes(threads));
    const workers: KernelWorker[] = [];
    const pool = new ThreadPool(threads, options.kernels, local, control, workers, timeoutMs);
    const started = await Promise.allSettled(
      Array.from({ length: threads - 1 }, (_, k) =>
        options.spawn!(
          { module: options.module, memory: options.memory, control: control as SharedArrayBuffer, kernels: options.kernels, thread: k + 1, memoryImport: options.memoryImport },
          (reason) => pool.breakBecause(reason),
        ),
      ),
    );
    for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
    const failure = started.find((s) => s.status === 'rejected');
    if (failure !== undefined) {
      await pool.destroy();
      throw new Error(`a worker of the thread pool failed to start: ${String(failure.reason)}`);
    }
    return pool;
  }

  /**
   * Calls kernel `name` on every thread, thread t with `argsOf(t)`, and returns when all are done.
   * A kernel that traps on any thread makes `run` throw (after every thread has finished).
   */
  run(name: string, argsOf: (thread: number) => readonly number[]): void {
    if (this.destroyed) throw new Error(`kernel ${name}: the thread pool has been destroyed`);
    if (this.brokenBecause !== undefined) throw new Error(`thread pool: ${this.brokenBecause}; the pool cannot run kernels any more`);
    if (this.running) throw new Error(`kernel ${name}: the thread pool is already running a kernel`);
    const index = this.kernelNames.indexOf(name);
    if (index < 0) throw new Error(`kernel ${name}: not one of the pool's kernels (${this.kernelNames.join(', ')})`);
    const fn = this.local[index]!;
    const perThread = Array.from({ length: this.threads }, (_, t) => argsOf(t));
    for (const [t, args] of perThread.entries()) {
      if (args.length !== fn.length) throw new Error(`kernel ${name}: thread ${t} was given ${args.length} arguments, the kernel takes ${fn.length}`);
    }
    if (fn.length > MAX_ARGS) throw new Error(`kernel ${name}: takes ${fn.length} arguments, the pool passes at most ${MAX_ARGS}`);
    this.running = true;
    try {
      for (let t = 1; t < this.threads; t++) this.args.set(perThread[t]!, MAX_ARGS * t);
      const c = this.control;
      Atomics.store(c, KERNEL, index);
      Atomics.store(c, ARG_COUNT, fn.length);
      Atomics.store(c, FAILED_THREAD, 0);
      Atomics.store(c, PENDING, this.threads - 1);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      let ownError: unknown;
      try {
        fn(...perThread[0]!);
      } catch (error) {
        ownError = error;
      }
      this.waitForWorkers(name);
      if (ownError !== undefined) throw new Error(`kernel ${name} failed on thread 0: ${ownError instanceof Error ? ownError.message : String(ownError)}`);
      const failed = Atomics.load(c, FAILED_THREAD);
      if (failed !== 0) {
        const text = String.fromCharCode(...this.errorText.subarray(0, Atomics.load(c, ERROR_LENGTH)));
        throw new Error(`kernel ${name} failed on thread ${failed - 1}: ${text}`);
      }
    } finally {
      this.running = false;
    }
  }

  /** Waits in slices until every worker is done, or breaks the pool past the deadline. */
  private waitForWorkers(name: string): void {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const pending = Atomics.load(this.control, PENDING);
      if (pending === 0) return;
      const left = deadline - performance.now();
      if (left <= 0) {
        // The late workers may still write to the memory, so the pool must not be reused.
        this.breakBecause(`kernel ${name}: ${pending} of ${this.threads - 1} worker threads did not finish within ${this.timeoutMs} ms`);
        throw new Error(`thread pool: ${this.brokenBecause}`);
      }
      Atomics.wait(this.control, PENDING, pending, Math.min(WAIT_SLICE_MS, left));
    }
  }

  /** Marks the pool unusable; the first reason is kept. */
  private breakBecause(reason: string): void {
    if (!this.destroyed) this.brokenBecause ??= reason;
  }

  /** Stops the workers; the pool cannot run again. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    Atomics.store(this.control, KERNEL, EXIT_KERNEL);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
