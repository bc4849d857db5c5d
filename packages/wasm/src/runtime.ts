import { Arena } from './arena.js';
import { buildKernelModule, MEMORY_IMPORT } from './kernels/kernel-module.js';
import { DEFAULT_MATMUL_TILING, packedBFloats, panelWidth, scratchFloats, type MatmulTiling } from './kernels/matmul.js';
import { ThreadPool, type SpawnKernelWorker } from './threads/pool.js';

const KERNELS = ['scale', 'add', 'mul', 'packB', 'matmul'] as const;
/** 2 GiB: the kernels compare byte offsets as signed i32 in places. */
const MAX_PAGES = 32_768;

export interface WasmKernelsOptions {
  /** Threads in all, the calling one included (default 1). More than one needs `spawn`. */
  readonly threads?: number;
  readonly spawn?: SpawnKernelWorker;
  /** How long a kernel call waits for the worker threads before it fails (default: no limit); see `ThreadPoolOptions.timeoutMs`. */
  readonly timeoutMs?: number;
  /** The shared memory's maximum in 64 KiB pages (default 16,384: 1 GiB; at most 32,768: byte offsets stay below 2^31), reserved up front. */
  readonly maximumPages?: number;
  readonly tiling?: MatmulTiling;
}

/** A float32 array living in the kernels' shared memory. */
export class WasmF32 {
  constructor(
    private readonly memory: WebAssembly.Memory,
    /** Byte offset in the memory. */
    readonly ptr: number,
    readonly length: number,
  ) {}

  /** A view of the values (a fresh view each time: a growing memory detaches old ones). */
  get array(): Float32Array {
    return new Float32Array(this.memory.buffer, this.ptr, this.length);
  }
}

/** The contiguous part of [0, total) of thread t of `threads`, its start a multiple of `granule`. */
export function splitRange(total: number, threads: number, t: number, granule: number): [number, number] {
  const chunk = Math.ceil(Math.ceil(total / threads) / granule) * granule;
  return [Math.min(total, t * chunk), Math.min(total, (t + 1) * chunk)];
}

/**
 * The SIMD kernels on a pool of threads over one shared memory: allocate arrays in it with `f32`,
 * fill them through `.array`, call the kernels; every kernel splits its work over the threads.
 */
export class WasmKernels {
  private constructor(
    readonly memory: WebAssembly.Memory,
    private readonly arena: Arena,
    private readonly pool: ThreadPool,
    readonly tiling: MatmulTiling,
  ) {}

  static async create(options: WasmKernelsOptions = {}): Promise<WasmKernels> {
    const maximum = options.maximumPages ?? 16_384;
    if (!Number.isInteger(maximum) || maximum < 1 || maximum > MAX_PAGES) throw new RangeError(`maximumPages: ${maximum} is not an integer in 1..${MAX_PAGES}`);
    const tiling = options.tiling ?? DEFAULT_MATMUL_TILING;
    const limits = { initial: 1, maximum };
    const memory = new WebAssembly.Memory({ ...limits, shared: true });
    const module = await WebAssembly.compile(buildKernelModule(limits, tiling));
    const pool = await ThreadPool.create({ module, memory, memoryImport: MEMORY_IMPORT, kernels: KERNELS, threads: options.threads ?? 1, spawn: options.spawn, timeoutMs: options.timeoutMs });
    return new WasmKernels(memory, new Arena(memory, maximum), pool, tiling);
  }

  get threads(): number {
    return this.pool.threads;
  }

  /** A new array of `length` floats (zeros unless memory was reused), or a copy of `values`. */
  f32(lengthOrValues: number | ArrayLike<number>): WasmF32 {
    const length = typeof lengthOrValues === 'number' ? lengthOrValues : lengthOrValues.length;
    const array = new WasmF32(this.memory, this.arena.alloc(4 * length), length);
    if (typeof lengthOrValues === 'number') array.array.fill(0);
    else array.array.set(lengthOrValues);
    return array;
  }

  /** Frees every array allocated since `mark()`. */
  mark(): number {
    return this.arena.mark();
  }

  release(mark: number): void {
    this.arena.release(mark);
  }

  /** out = alpha · x */
  scale(x: WasmF32, out: WasmF32, alpha: number): void {
    sameLength('scale', { x, out });
    this.pool.run('scale', (t) => [x.ptr, out.ptr, alpha, ...splitRange(x.length, this.threads, t, 4)]);
  }

  /** out = x + y */
  add(x: WasmF32, y: WasmF32, out: WasmF32): void {
    this.binary('add', x, y, out);
  }

  /** out = x · y (elementwise) */
  mul(x: WasmF32, y: WasmF32, out: WasmF32): void {
    this.binary('mul', x, y, out);
  }

  private binary(name: 'add' | 'mul', x: WasmF32, y: WasmF32, out: WasmF32): void {
    sameLength(name, { x, y, out });
    this.pool.run(name, (t) => [x.ptr, y.ptr, out.ptr, ...splitRange(x.length, this.threads, t, 4)]);
  }

  /** c = a · b for row-major a (m × k), b (k × n), c (m × n); c must not overlap a or b. */
  matmul(a: WasmF32, b: WasmF32, c: WasmF32, m: number, k: number, n: number): void {
    for (const [name, size] of [['m', m], ['k', k], ['n', n]] as const) {
      if (!Number.isInteger(size) || size < 1) throw new RangeError(`matmul: ${name} = ${size} is not a positive integer`);
    }
    for (const [name, array, rows, cols] of [['a', a, m, k], ['b', b, k, n], ['c', c, m, n]] as const) {
      if (array.length !== rows * cols) throw new RangeError(`matmul: ${name} has ${array.length} floats, not ${rows} × ${cols} = ${rows * cols}`);
    }
    for (const [name, input] of [['a', a], ['b', b]] as const) {
      if (overlaps(c, input)) throw new RangeError(`matmul: c overlaps ${name}; the product needs its own array`);
    }
    const mark = this.arena.mark();
    try {
      const packed = this.arena.alloc(4 * packedBFloats(k, n, this.tiling));
      const scratch = this.arena.alloc(4 * scratchFloats(this.tiling) * this.threads);
      const panels = Math.ceil(n / panelWidth(this.tiling));
      this.pool.run('packB', (t) => [b.ptr, packed, k, n, ...splitRange(panels, this.threads, t, 1)]);
      const tileBytes = 4 * scratchFloats(this.tiling);
      this.pool.run('matmul', (t) => [a.ptr, packed, c.ptr, k, n, ...splitRange(m, this.threads, t, this.tiling.rows), scratch + t * tileBytes]);
    } finally {
      this.arena.release(mark);
    }
  }

  /** Stops the worker threads. */
  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

const overlaps = (x: WasmF32, y: WasmF32) => x.length > 0 && y.length > 0 && x.ptr < y.ptr + 4 * y.length && y.ptr < x.ptr + 4 * x.length;

function sameLength(kernel: string, arrays: Readonly<Record<string, WasmF32>>): void {
  const entries = Object.entries(arrays);
  const [firstName, first] = entries[0]!;
  for (const [name, array] of entries) {
    if (array.length !== first.length) throw new RangeError(`${kernel}: ${name} has ${array.length} floats, ${firstName} has ${first.length}`);
  }
}
