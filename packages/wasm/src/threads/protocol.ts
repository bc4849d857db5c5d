// How the pool's threads talk: one small SharedArrayBuffer, the "control block", beside the kernels'
// shared memory. The calling thread writes each thread's arguments and the kernel's index, sets
// PENDING to the number of workers and bumps GENERATION; each worker wakes on GENERATION, runs the
// kernel with its arguments, and the last to finish wakes the caller on PENDING.

/** Int32 slots of the control block. */
export const GENERATION = 0;
export const PENDING = 1;
export const KERNEL = 2;
export const ARG_COUNT = 3;
/** 0, or 1 + the index of a worker whose kernel threw. */
export const FAILED_THREAD = 4;
export const ERROR_LENGTH = 5;
/** KERNEL's value that tells workers to leave their loop. */
export const EXIT_KERNEL = -1;

/** The failing worker's error message, UTF-16 code units, truncated. */
export const ERROR_TEXT_BYTE = 32;
export const ERROR_TEXT_UNITS = 256;
/** Float64 arguments, MAX_ARGS per thread (every i32 and f32 argument is exact in a double). */
export const ARGS_BYTE = ERROR_TEXT_BYTE + 2 * ERROR_TEXT_UNITS;
export const MAX_ARGS = 16;

export const controlBytes = (threads: number): number => ARGS_BYTE + 8 * MAX_ARGS * threads;

/** What a worker receives to start: the compiled kernels, the memory they share, the control block. */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  /** Export names, by the index the caller writes into KERNEL. */
  readonly kernels: readonly string[];
  /** This worker's thread index (1 and up; the calling thread is 0). */
  readonly thread: number;
  /** The module's memory import. */
  readonly memoryImport: { readonly module: string; readonly name: string };
}

/**
 * The worker's job loop as JavaScript source: a function expression `(init, ready) => void` that
 * instantiates the module, calls `ready()` and serves jobs until told to exit. It is plain source
 * text, not a module, so every platform's worker (Node's worker_threads with `eval`, a browser
 * worker from a Blob URL) can run it with only its own few lines of glue around it.
 */
export const WORKER_LOOP_SOURCE = `function kernelWorkerLoop(init, ready) {
  const imports = { [init.memoryImport.module]: { [init.memoryImport.name]: init.memory } };
  const instance = new WebAssembly.Instance(init.module, imports);
  const kernels = init.kernels.map((name) => instance.exports[name]);
  const control = new Int32Array(init.control);
  const errorText = new Uint16Array(init.control, ${ERROR_TEXT_BYTE}, ${ERROR_TEXT_UNITS});
  const args = new Float64Array(init.control, ${ARGS_BYTE} + 8 * ${MAX_ARGS} * init.thread, ${MAX_ARGS});
  ready();
  let seen = 0;
  for (;;) {
    Atomics.wait(control, ${GENERATION}, seen);
    const generation = Atomics.load(control, ${GENERATION});
    if (generation === seen) continue;
    seen = generation;
    const kernel = Atomics.load(control, ${KERNEL});
    if (kernel === ${EXIT_KERNEL}) return;
    try {
      kernels[kernel](...args.subarray(0, control[${ARG_COUNT}]));
    } catch (error) {
      if (Atomics.compareExchange(control, ${FAILED_THREAD}, 0, init.thread + 1) === 0) {
        const text = String(error && error.message !== undefined ? error.message : error);
        const length = Math.min(text.length, ${ERROR_TEXT_UNITS});
        for (let i = 0; i < length; i++) errorText[i] = text.charCodeAt(i);
        control[${ERROR_LENGTH}] = length;
      }
    }
    if (Atomics.sub(control, ${PENDING}, 1) === 1) Atomics.notify(control, ${PENDING});
  }
}`;
