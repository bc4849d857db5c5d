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
import type { MessageEndpoint, PageEnvelope, PageReply } from '../src/page-protocol.js';
import { bits, maxAbsDiff } from './support/compare.js';

const open: PageBackend[] = [];
afterEach(() => open.splice(0).forEach((b) => b.close()));

/** A proxy and a host over a fresh channel; the host opens the WebAssembly backend on the threads asked for. */
async function pageBackend(threads: number): Promise<PageBackend> {
  const { port1, port2 } = new MessageChannel();
  servePageBackend(port2, (n) => nodeWasmBackend({ threads: n }));
  port2.start();
  port1.start();
  const backend = await connectPageBackend(port1, {
    threads,
    close: () => {
      port1.close();
      port2.close();
    },
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

  it("does not lose a step's error: the runner's next awaited call rejects naming it (same code and field) without running, and the state is unchanged", async () => {
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
    await expect(next).rejects.toMatchObject({ code: (expected as SpikeflowError).code, where: (expected as SpikeflowError).where });
    await expect(next).rejects.toThrow(`an earlier step on this runner failed, so this readState was not run: ${(expected as SpikeflowError).message}`);
    // Reported once; the bad step changed nothing.
    const after = await proxied.readState();
    for (const name of Object.keys(before)) expect(bits(after[name]!), name).toEqual(bits(before[name]!));
    proxied.destroy();
  });

  it("rejects an awaited call's own error at that call; after a failed setState the runner's next stepWithLoss is not run, and another runner is unaffected", async () => {
    const backend = await pageBackend(1);
    const proxied = await backend.compileTrainStep(graph, { seed: 3 });
    const forward = spikeClassifier();
    const [other, cpuForward] = [await backend.compile(forward, { seed: 5 }), await cpuBackend().compile(forward, { seed: 5 })];
    const cpu = await cpuBackend().compileTrainStep(graph, { seed: 3 });
    await expect(proxied.readState(['no-such-state'])).rejects.toThrow(/state\.no-such-state.*no state of this name/);

    proxied.setState({ 'linear0/w': tensor([1], [0]) });
    // Another runner's call, sent while setState's failure is pending, runs as on cpuBackend.
    const feeds = spikeDataset(8, 4);
    const [got, want] = [await other.run(feeds), await cpuForward.run(feeds)];
    for (const name of Object.keys(want)) expect(maxAbsDiff(got[name]!, want[name]!), name).toBeLessThanOrEqual(1e-5);

    await expect(proxied.stepWithLoss(batch(0))).rejects.toThrow(/an earlier setState on this runner failed, so this stepWithLoss was not run: .*linear0\/w/);
    // That stepWithLoss did not run: the state is still cpuBackend's initial state from the same seed.
    const [state, initial] = [await proxied.readState(), await cpu.readState()];
    for (const name of Object.keys(initial)) expect(bits(state[name]!), name).toEqual(bits(initial[name]!));
    // Reported once: the next step runs, as the first step on cpuBackend does.
    expect(Math.abs((await proxied.stepWithLoss(batch(0))) - (await cpu.stepWithLoss(batch(0))))).toBeLessThanOrEqual(1e-6);
    for (const runner of [proxied, other, cpu, cpuForward]) runner.destroy();
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

  it('fails to open with one error naming the other side when it never answers, and closes it', async () => {
    const { port1, port2 } = new MessageChannel();
    port1.start();
    let closed = false;
    const opening = connectPageBackend(port1, { threads: 1, openTimeoutMs: 50, peer: "the WebAssembly backend's worker (/wasm-worker.js)", close: () => (closed = true) });
    await expect(opening).rejects.toThrow("the WebAssembly backend's worker (/wasm-worker.js) did not open the backend within 50 ms");
    expect(closed).toBe(true);
    port1.close();
    port2.close();
  });
});

/** A host endpoint in the test's hands: it records replies, can refuse to send some, and delivers calls (or unreadable ones) on demand. */
function fakeEndpoint(refuse: (reply: PageReply) => boolean) {
  const listeners = new Map<string, ((event: MessageEvent) => void)[]>();
  const replies: PageReply[] = [];
  const endpoint: MessageEndpoint = {
    postMessage(message) {
      if (refuse(message as PageReply)) throw new Error('the port refused the message');
      replies.push(message as PageReply);
    },
    addEventListener(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
  };
  const deliver = (type: 'message' | 'messageerror', data: unknown): void => listeners.get(type)?.forEach((listener) => listener({ data } as MessageEvent));
  return { endpoint, replies, deliver };
}

const until = async (done: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('the page backend host answers every call once', () => {
  it('keeps answering after a reply it cannot send even as an error, and reports that once', async () => {
    const { endpoint, replies, deliver } = fakeEndpoint((reply) => reply.id === 1);
    const unusable: Error[] = [];
    servePageBackend(endpoint, () => cpuBackend(), (error) => unusable.push(error));
    deliver('message', { id: 1, method: 'readState', handle: 7 } satisfies PageEnvelope);
    deliver('message', { id: 2, method: 'readState', handle: 7 } satisfies PageEnvelope);
    await until(() => replies.length === 1);
    expect(unusable.map((e) => e.message)).toEqual(['the page backend could not answer call 1 (the port refused the message); its port is unusable']);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ id: 2, ok: false, error: { message: expect.stringMatching(/no runner 7 \(destroyed, or never compiled\)/) } });
  });

  it('answers an unreadable call with an error under the next id, in order', async () => {
    const { endpoint, replies, deliver } = fakeEndpoint(() => false);
    servePageBackend(endpoint, () => cpuBackend(), () => expect.unreachable('the port works'));
    deliver('message', { id: 1, method: 'open', threads: 1 } satisfies PageEnvelope);
    deliver('messageerror', null);
    deliver('message', { id: 3, method: 'readState', handle: 7 } satisfies PageEnvelope);
    await until(() => replies.length === 3);
    expect(replies.map((r) => [r.id, r.ok])).toEqual([[1, true], [2, false], [3, false]]);
    expect(replies[1]).toMatchObject({ error: { message: "call 2 could not be read by the page backend's worker (structured clone failed)" } });
  });

  it("rejects the page's pending and later calls with the host's one error when its port is unusable", async () => {
    const { port1, port2 } = new MessageChannel();
    let hostFailed: ((error: Error) => void) | undefined;
    // The host cannot send any reply after open's; the error it reports reaches the page as a worker's error event would.
    let sent = 0;
    const host: MessageEndpoint = {
      postMessage: (message, transfer) => {
        if (sent++ > 0) throw new Error('the port is closed');
        port2.postMessage(message, transfer as never);
      },
      addEventListener: (type, listener) => port2.addEventListener(type, listener as never),
    };
    servePageBackend(host, () => cpuBackend(), (error) => hostFailed?.(error));
    port1.start();
    port2.start();
    const backend = await connectPageBackend(port1, { threads: 1, close: () => port1.close(), onFailure: (fail) => (hostFailed = fail) });
    await expect(backend.compile(spikeClassifier())).rejects.toThrow('the page backend could not answer call 2 (the port is closed); its port is unusable');
    await expect(backend.compile(spikeClassifier())).rejects.toThrow('the page backend could not answer call 2 (the port is closed); its port is unusable');
    backend.close();
    port2.close();
  });
});
