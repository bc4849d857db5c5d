// The page backend's message protocol: the proxy (page-backend.ts) and the host
// (page-backend-worker.ts) on the two ends of a MessageChannel, the host running the WebAssembly
// backend on Node worker threads. What crosses is structured-cloned as between a page and its
// worker; the numbers are checked against core's cpuBackend from the same seed.
import { cpuBackend, SpikeflowError, tensor, type HostTensor, type NamedFeeds } from '@spikeflow/core';
import { adam, trainingGraph } from '@spikeflow/models';
import { afterEach, describe, expect, it } from 'vitest';
import { spikeClassifier, spikeDataset } from '../../models/test/support/spike-task.js';
import { nodeWasmBackend } from '../src/node.js';
import { connectPageBackend, type PageBackend } from '../src/page-backend.js';
import { servePageBackend } from '../src/page-backend-worker.js';
import { bits, maxAbsDiff } from './support/compare.js';

const open: PageBackend[] = [];
afterEach(() => open.splice(0).forEach((b) => b.close()));

/** A proxy and a host over a fresh channel; the host opens the WebAssembly backend on the threads asked for. */
async function pageBackend(threads: number): Promise<PageBackend> {
  const { port1, port2 } = new MessageChannel();
  servePageBackend(port2, (n) => nodeWasmBackend({ threads: n }));
  port2.start();
  port1.start();
  const backend = await connectPageBackend(port1, threads, () => {
    port1.close();
    port2.close();
  });
  open.push(backend);
  return backend;
}

const graph = trainingGraph(spikeClassifier(), { loss: 'loss', optimizer: adam() });
const batch = (k: number): NamedFeeds => ({ ...spikeDataset(8, 11 + k), lr: 0.05 });

describe('the page backend (proxy and host over a message channel)', () => {
  it('opens on the threads asked for and trains as cpuBackend does from the same seed', async () => {
    const backend = await pageBackend(2);
    expect([backend.name, backend.threads]).toEqual(['wasm', 2]);
    const proxied = await backend.compileTrainStep(graph, { seed: 3 });
    const cpu = await cpuBackend().compileTrainStep(graph, { seed: 3 });
    const initial = await proxied.readState();
    const want = await cpu.readState();
    for (const name of Object.keys(want)) expect(bits(initial[name]!), name).toEqual(bits(want[name]!));
    // A step nobody awaits, then an awaited one: both ran, in order (tolerance as in backend-train.test.ts).
    proxied.step(batch(0));
    await cpu.stepWithLoss(batch(0));
    expect(Math.abs((await proxied.stepWithLoss(batch(1))) - (await cpu.stepWithLoss(batch(1))))).toBeLessThanOrEqual(1e-6);
    const [got, expected] = [await proxied.readState(['linear0/w']), await cpu.readState(['linear0/w'])];
    expect(maxAbsDiff(got['linear0/w']!, expected['linear0/w']!)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(got['linear0/w']!, initial['linear0/w']!), 'the params moved').toBeGreaterThan(0.05);
    expect(await proxied.countNonFinite!(['linear0/w'])).toEqual({ 'linear0/w': 0 });
    proxied.destroy();
    cpu.destroy();
  });

  it("does not lose a step's error: the next awaited call rejects with it (the same SpikeflowError), and the state is unchanged", async () => {
    const backend = await pageBackend(1);
    const proxied = await backend.compileTrainStep(graph, { seed: 3 });
    const before = await proxied.readState();
    const bad = { ...batch(0), x: tensor([2, 2], [1, 2, 3, 4]) };
    // The error the WebAssembly backend throws for this feed, called directly.
    const direct = await nodeWasmBackend({ threads: 1 }).compileTrainStep(graph, { seed: 3 });
    let expected: unknown;
    try {
      direct.step(bad);
    } catch (error) {
      expected = error;
    }
    direct.destroy();
    expect(expected).toBeInstanceOf(SpikeflowError);

    expect(() => proxied.step(bad)).not.toThrow();
    const next = proxied.readState();
    await expect(next).rejects.toBeInstanceOf(SpikeflowError);
    await expect(next).rejects.toMatchObject({ message: (expected as SpikeflowError).message, code: (expected as SpikeflowError).code, where: (expected as SpikeflowError).where });
    // Reported once; the bad step changed nothing.
    const after = await proxied.readState();
    for (const name of Object.keys(before)) expect(bits(after[name]!), name).toEqual(bits(before[name]!));
    proxied.destroy();
  });

  it("rejects an awaited call's own error at that call, and setState's error at the next awaited call", async () => {
    const backend = await pageBackend(1);
    const proxied = await backend.compileTrainStep(graph, { seed: 3 });
    await expect(proxied.readState(['no-such-state'])).rejects.toThrow(/state\.no-such-state.*no state of this name/);
    proxied.setState({ 'linear0/w': tensor([1], [0]) });
    await expect(proxied.stepWithLoss(batch(0))).rejects.toThrow(/linear0\/w/);
    expect(Number.isFinite(await proxied.stepWithLoss(batch(0)))).toBe(true);
    proxied.destroy();
  });

  it('runs a forward graph with params set from outside, as cpuBackend does', async () => {
    const backend = await pageBackend(2);
    const forward = spikeClassifier();
    const [proxied, cpu] = [await backend.compile(forward, { seed: 5 }), await cpuBackend().compile(forward, { seed: 5 })];
    const feeds = spikeDataset(8, 4);
    const trained = await (await cpuBackend().compileTrainStep(graph, { seed: 9 })).readState();
    const params: Record<string, HostTensor> = Object.fromEntries(forward.params.map((id) => {
      const name = (forward.nodes[id]!.attrs as { name: string }).name;
      return [name, trained[name]!];
    }));
    proxied.setParams(params);
    cpu.setParams(params);
    const [got, want] = [await proxied.run(feeds), await cpu.run(feeds)];
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const name of Object.keys(want)) expect(maxAbsDiff(got[name]!, want[name]!), name).toBeLessThanOrEqual(1e-5);
    proxied.destroy();
    cpu.destroy();
  });

  it('rejects every call after close, and calls on a destroyed runner name it', async () => {
    const backend = await pageBackend(1);
    const proxied = await backend.compileTrainStep(graph, { seed: 3 });
    proxied.destroy();
    await expect(proxied.readState()).rejects.toThrow(/no runner 1 \(destroyed, or never compiled\)/);
    backend.close();
    await expect(backend.compile(spikeClassifier())).rejects.toThrow('the page backend was closed');
  });
});
