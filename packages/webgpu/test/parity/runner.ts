import { evaluate, sizeOf, tensor, toArray, type Graph, type HostTensor, nodeAs } from '@spikeflow/core';
import { compile } from '../../src/index.js';
import type { GraphCase } from './cases.js';
import { testRandom } from '../../../../test/support/test-data.js';

function feedsFor(c: GraphCase, graph: Graph, seed: number): Record<string, HostTensor> {
  const rand = testRandom(seed);
  const feeds: Record<string, HostTensor> = {};
  for (const id of graph.inputs) {
    const a = nodeAs(graph, id, 'input').attrs;
    const [lo, hi] = c.ranges?.[a.name] ?? [-2, 2];
    const values = Array.from({ length: sizeOf(a.shape) }, () => {
      const v = lo + (hi - lo) * rand();
      return a.dtype === 'f32' ? v : Math.floor(v);
    });
    feeds[a.name] = tensor(a.shape, values, a.dtype);
  }
  return feeds;
}

export interface CaseResult {
  readonly name: string;
  readonly ok: boolean;
  /** Largest |gpu - cpu| / max(1, |cpu|) over all outputs. */
  readonly maxError: number;
  readonly detail?: string;
}

/** Runs one case on the CPU reference and on `device`, and compares every output. */
export async function runCase(device: GPUDevice, c: GraphCase, seed = 1): Promise<CaseResult> {
  const feeds = feedsFor(c, c.graph, seed);
  const cpu = evaluate(c.graph, { inputs: feeds }).outputs;
  const exe = await compile(c.graph, device);
  try {
    const gpu = await exe.run(feeds);
    let maxError = 0;
    for (const [name, expected] of Object.entries(cpu)) {
      const got = gpu[name];
      if (got === undefined) return { name: c.name, ok: false, maxError: Infinity, detail: `output ${name} missing` };
      const e = toArray(expected);
      const g = toArray(got);
      for (let k = 0; k < e.length; k++) {
        const err = Number.isNaN(e[k]!) && Number.isNaN(g[k]!) ? 0 : Math.abs(g[k]! - e[k]!) / Math.max(1, Math.abs(e[k]!));
        if (!(err <= maxError)) maxError = Number.isNaN(err) ? Infinity : err;
        if (!(err <= c.tol)) return { name: c.name, ok: false, maxError, detail: `${name}[${k}]: gpu ${g[k]} vs cpu ${e[k]}` };
      }
    }
    return { name: c.name, ok: true, maxError };
  } finally {
    exe.destroy();
  }
}
