import { describe, expect, it } from 'vitest';
import { spawnNodeWorker } from '../src/node.js';
import { f32, get, i32, ModuleBuilder, ThreadPool, type KernelWorker, type SpawnKernelWorker } from '../src/index.js';

const MEMORY = { module: 'env', name: 'memory' } as const;

/** `store(address, value)`: memory[address] = value (f32), trapping past the memory's end. */
async function storeModule(): Promise<{ module: WebAssembly.Module; memory: WebAssembly.Memory }> {
  const builder = new ModuleBuilder().importMemory({ ...MEMORY, initial: 1, maximum: 2, shared: true });
  builder.function('store', { params: { address: 'i32', value: 'f32' } }, (p) => ({ body: [f32.store(get(p.address), get(p.value))] }));
  builder.function('twice', { params: { address: 'i32' } }, (p) => ({
    body: [i32.store(get(p.address), i32.mul(i32.load(get(p.address)), i32.const(2)))],
  }));
  return { module: await WebAssembly.compile(builder.encode()), memory: new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true }) };
}

describe('ThreadPool', () => {
  it('runs a kernel once on every thread, each with its own arguments, in one shared memory', async () => {
    const { module, memory } = await storeModule();
    const pool = await ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store', 'twice'], threads: 3, spawn: spawnNodeWorker });
    try {
      const view = new Float32Array(memory.buffer);
      for (let round = 1; round <= 50; round++) {
        pool.run('store', (t) => [4 * t, round * 10 + t]);
        expect([...view.subarray(0, 3)]).toEqual([round * 10, round * 10 + 1, round * 10 + 2]);
      }
      const ints = new Int32Array(memory.buffer);
      ints.set([3, 5, 7], 8);
      pool.run('twice', (t) => [32 + 4 * t]);
      expect([...ints.subarray(8, 11)]).toEqual([6, 10, 14]);
    } finally {
      await pool.destroy();
    }
  });

  it("reports a worker's trap with the thread and the engine's message, and keeps working", async () => {
    const { module, memory } = await storeModule();
    const pool = await ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store'], threads: 2, spawn: spawnNodeWorker });
    try {
      expect(() => pool.run('store', (t) => [t === 1 ? 1 << 20 : 0, 1])).toThrow(/^kernel store failed on thread 1: .*out of bounds/);
      expect(() => pool.run('store', (t) => [t === 0 ? 1 << 20 : 4, 1])).toThrow(/^kernel store failed on thread 0: .*out of bounds/);
      pool.run('store', (t) => [4 * t, 2.5]);
      expect([...new Float32Array(memory.buffer, 0, 2)]).toEqual([2.5, 2.5]);
    } finally {
      await pool.destroy();
    }
  });

  it('rejects an unknown kernel, a wrong argument count and use after destroy', async () => {
    const { module, memory } = await storeModule();
    await expect(ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['nope'] })).rejects.toThrow('kernel nope: the module exports no such function');
    await expect(ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store'], threads: 2 })).rejects.toThrow(/need a way to start workers/);
    const pool = await ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store'], threads: 1 });
    expect(() => pool.run('twice', () => [0])).toThrow('kernel twice: not one of the pool\'s kernels (store)');
    expect(() => pool.run('store', () => [0])).toThrow('kernel store: thread 0 was given 1 arguments, the kernel takes 2');
    await pool.destroy();
    expect(() => pool.run('store', () => [0, 1])).toThrow('kernel store: the thread pool has been destroyed');
  });
});

describe('ThreadPool when a worker dies', () => {
  it('reports a worker terminated between two calls with one clear error, instead of waiting for it', async () => {
    const { module, memory } = await storeModule();
    const started: KernelWorker[] = [];
    const spawn: SpawnKernelWorker = async (init, onDeath) => {
      const worker = await spawnNodeWorker(init, onDeath);
      started.push(worker);
      return worker;
    };
    const pool = await ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store'], threads: 3, spawn });
    try {
      pool.run('store', (t) => [4 * t, 7]);
      expect([...new Float32Array(memory.buffer, 0, 3)]).toEqual([7, 7, 7]);
      await started[1]!.terminate();
      expect(() => pool.run('store', (t) => [4 * t, 8])).toThrow(/^thread pool: worker thread \d exited \(code 1\); the pool cannot run kernels any more$/);
      expect(() => pool.run('store', (t) => [4 * t, 9])).toThrow(/^thread pool: worker thread \d exited \(code 1\)/);
    } finally {
      await pool.destroy();
    }
  });

  it('gives up on a worker that never finishes after timeoutMs, and stays broken', async () => {
    const { module, memory } = await storeModule();
    // A "worker" that never runs the job loop: what a thread that died mid-kernel looks like to the caller.
    const silent: SpawnKernelWorker = async () => ({ terminate: () => undefined });
    const pool = await ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store'], threads: 2, spawn: silent, timeoutMs: 120 });
    const start = performance.now();
    expect(() => pool.run('store', (t) => [4 * t, 1])).toThrow('thread pool: kernel store: 1 of 1 worker threads did not finish within 120 ms');
    expect(performance.now() - start).toBeGreaterThanOrEqual(110);
    // Thread 0 did its share before waiting.
    expect(new Float32Array(memory.buffer, 0, 1)[0]).toBe(1);
    expect(() => pool.run('store', (t) => [4 * t, 1])).toThrow(
      'thread pool: kernel store: 1 of 1 worker threads did not finish within 120 ms; the pool cannot run kernels any more',
    );
    await pool.destroy();
    await expect(ThreadPool.create({ module, memory, memoryImport: MEMORY, kernels: ['store'], timeoutMs: 0 })).rejects.toThrow('timeoutMs: 0 is not a positive number of milliseconds');
  });

  it('rejects a worker that fails to start, naming its thread', async () => {
    const { memory } = await storeModule();
    // A module whose import the worker cannot satisfy: instantiation throws inside the worker.
    const bad = await WebAssembly.compile(new ModuleBuilder().importMemory({ module: 'other', name: 'mem', initial: 1, maximum: 2, shared: true }).encode());
    await expect(
      spawnNodeWorker({ module: bad, memory, control: new SharedArrayBuffer(1024), kernels: [], thread: 1, memoryImport: MEMORY }, () => undefined),
    ).rejects.toThrow(/^worker thread 1: /);
  });
});
