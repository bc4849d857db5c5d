import { describe, expect, it } from 'vitest';
import { spawnNodeWorker } from '../src/node.js';
import { f32, get, i32, ModuleBuilder, ThreadPool } from '../src/index.js';

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
