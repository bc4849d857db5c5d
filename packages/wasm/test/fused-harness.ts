import { evaluate, isLeaf, sizeOf, tensor, type DType, type Graph, type HostTensor, type NodeId, type TensorType } from '@spikeflow/core';
import { expect } from 'vitest';
import { addKernelLibrary, elementwiseStatements, ModuleBuilder, get, i32, type FusedGroup } from '../src/index.js';

/**
 * A tiny stand-in for the compiler: every input leaf (and array constant) is a buffer at a fixed
 * offset, every other node of the graph is fused into the one kernel `(lo, hi, step)` that writes
 * the graph's single output. The kernel is run over [0, n) in two calls split at `split`.
 */
export interface HarnessRun {
  readonly wasm: HostTensor;
  readonly cpu: HostTensor;
}

const PAGE = 65536;

export function runFused(graph: Graph, feeds: Readonly<Record<string, HostTensor>>, options: { split?: number } = {}): HarnessRun {
  const outId = graph.outputs[0]!.node;
  const nodes = graph.nodes;
  const buffers = Object.keys(nodes).filter((id) => isLeaf(nodes[id]!) || (nodes[id]!.op === 'constant' && typeof nodes[id]!.attrs.value !== 'number'));
  const members = Object.keys(nodes).filter((id) => !buffers.includes(id));
  const offsets = new Map<NodeId, number>();
  let at = 64;
  for (const id of [...buffers, outId]) {
    offsets.set(id, at);
    at += 4 * Math.max(1, sizeOf((nodes[id]!.type as TensorType).shape)) + 64;
  }
  const memory = new WebAssembly.Memory({ initial: Math.ceil(at / PAGE) + 1 });
  const module = new ModuleBuilder().importMemory({ module: 'env', name: 'memory', initial: Math.ceil(at / PAGE) + 1 });
  const lib = addKernelLibrary(module);
  const group: FusedGroup = { graph, members };
  module.function('kernel', { params: { lo: 'i32', hi: 'i32', step: 'i32' } }, (p, fn) => ({
    body: elementwiseStatements(fn, group, outId, (id) => i32.const(offsets.get(id)!), lib, get(p.lo), get(p.hi)),
  }));
  const bytes = module.encode();
  expect(WebAssembly.validate(bytes)).toBe(true);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  const view = (id: NodeId) => {
    const t = nodes[id]!.type as TensorType;
    const n = sizeOf(t.shape);
    return t.dtype === 'f32' ? new Float32Array(memory.buffer, offsets.get(id)!, n) : t.dtype === 'u32' ? new Uint32Array(memory.buffer, offsets.get(id)!, n) : new Int32Array(memory.buffer, offsets.get(id)!, n);
  };
  for (const id of buffers) {
    const node = nodes[id]!;
    if (node.op === 'constant') view(id).set(node.attrs.value as number[]);
    else view(id).set(feeds[(node.attrs as { name: string }).name]!.data);
  }
  const outType = nodes[outId]!.type as TensorType;
  const n = sizeOf(outType.shape);
  const split = Math.min(n, options.split ?? Math.floor(n / 2) + 1);
  const kernel = instance.exports.kernel as (lo: number, hi: number, step: number) => void;
  kernel(0, split, 0);
  kernel(split, n, 0);
  const wasm = tensor(outType.shape, Array.from(view(outId)), outType.dtype);
  const cpu = evaluate(graph, { inputs: feeds }, { precision: 'f32' }).outputs[graph.outputs[0]!.name]!;
  return { wasm, cpu };
}

/** Distance in f32 units in the last place (NaN to NaN is 0, ±0 apart is 0). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const bits = new Int32Array(new Float32Array([a, b]).buffer);
  const ordered = (k: number) => (k < 0 ? -0x80000000 - k : k);
  return Math.abs(ordered(bits[0]!) - ordered(bits[1]!));
}

/** Elementwise equality, bit for bit up to NaN payloads (−0 and +0 told apart). */
export function expectSame(run: HarnessRun, what: string): void {
  expect(run.wasm.data.length, what).toBe(run.cpu.data.length);
  for (let k = 0; k < run.cpu.data.length; k++) {
    const [w, c] = [run.wasm.data[k]!, run.cpu.data[k]!];
    if (!(Object.is(w, c) || (Number.isNaN(w) && Number.isNaN(c)))) expect(w, `${what} element ${k}`).toBe(c);
  }
}

export function maxUlp(run: HarnessRun): number {
  let worst = 0;
  for (let k = 0; k < run.cpu.data.length; k++) worst = Math.max(worst, ulpDistance(run.wasm.data[k]!, run.cpu.data[k]!));
  return worst;
}

/** Deterministic test data of a dtype: a mix of ordinary values and the edge cases. */
export function sampleData(dtype: DType, n: number, seed: number, special = true): number[] {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  const edges: Record<DType, number[]> = {
    f32: [0, -0, 1, -1, 0.5, -2.5, 3.5, Infinity, -Infinity, NaN, 1e-40, -7, 1e30],
    i32: [0, 1, -1, 2147483647, -2147483648, 7, -7],
    u32: [0, 1, 4294967295, 2147483648, 7],
    bool: [0, 1],
  };
  return Array.from({ length: n }, (_, k) => {
    if (special && k % 3 === 1) return edges[dtype][Math.floor(next() * edges[dtype].length)]!;
    if (dtype === 'f32') return Math.fround((next() - 0.5) * 20);
    if (dtype === 'bool') return next() < 0.5 ? 1 : 0;
    if (dtype === 'u32') return Math.floor(next() * 2 ** 32);
    return Math.floor((next() - 0.5) * 200);
  });
}
