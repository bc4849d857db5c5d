// A tiny stand-in for the compiler in the kernel generator tests: values laid out at fixed byte
// offsets in one shared memory (so the kernels bake them in as constants, as compiled programs
// do), one module with each stage as a `(lo, hi, step)` export, the stages run in order on 1 or
// more threads of the pool, each thread taking a contiguous share of the stage's work items.
import { get, ModuleBuilder, ThreadPool, splitRange, type Expr, type LocalAllocator, type Stmt } from '../src/index.js';
import { spawnNodeWorker } from '../src/node.js';

/** One kernel launch: its statements for items [lo, hi) and how many items there are. */
export interface Stage {
  readonly body: (fn: LocalAllocator, lo: Expr<'i32'>, hi: Expr<'i32'>, step: Expr<'i32'>) => Stmt[];
  readonly items: number;
  /** Threads' ranges start at multiples of this (default 1). */
  readonly granule?: number;
}

const PAGE = 65_536;

export class KernelLayout {
  private readonly values: { readonly ptr: number; readonly data: Float32Array | Int32Array }[] = [];
  private top = 64;

  /** Reserves room for `values` (or `length` garbage floats, which a kernel must overwrite); returns its byte offset. */
  place(values: Float32Array | Int32Array | number): number {
    const data = typeof values === 'number' ? new Float32Array(values).fill(Number.NaN) : values;
    const ptr = this.top;
    this.values.push({ ptr, data });
    // 64-byte aligned starts, and a gap, so an overrun shows as a wrong neighbour.
    this.top = Math.ceil((ptr + 4 * data.length + 16) / 64) * 64;
    return ptr;
  }

  /** Builds the stages into one module, runs them in order on `threads` threads, returns the memory. */
  async run(stages: readonly Stage[], threads: number): Promise<DataView> {
    const pages = Math.ceil(this.top / PAGE) + 1;
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    for (const { ptr, data } of this.values) {
      (data instanceof Float32Array ? new Float32Array(memory.buffer, ptr, data.length) : new Int32Array(memory.buffer, ptr, data.length)).set(data);
    }
    const builder = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', initial: pages, maximum: pages, shared: true });
    const names = stages.map((stage, s) => {
      const name = `stage${s}`;
      builder.function(name, { params: { lo: 'i32', hi: 'i32', step: 'i32' } }, (p, fn) => ({ body: stage.body(fn, get(p.lo), get(p.hi), get(p.step)) }));
      return name;
    });
    const bytes = builder.encode();
    if (!WebAssembly.validate(bytes)) throw new Error('the kernel module does not validate');
    const module = await WebAssembly.compile(bytes);
    const pool = await ThreadPool.create({ module, memory, memoryImport: { module: 'env', name: 'memory' }, kernels: names, threads, spawn: spawnNodeWorker });
    try {
      stages.forEach((stage, s) => pool.run(names[s]!, (t) => [...splitRange(stage.items, threads, t, stage.granule ?? 1), 0]));
    } finally {
      await pool.destroy();
    }
    return new DataView(memory.buffer);
  }
}

/** `length` floats from byte offset `ptr`. */
export const readF32 = (view: DataView, ptr: number, length: number): Float32Array => new Float32Array(view.buffer, ptr, length).slice();
export const readI32 = (view: DataView, ptr: number, length: number): Int32Array => new Int32Array(view.buffer, ptr, length).slice();
