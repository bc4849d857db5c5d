// The NIR round trip the browser test runs in Chromium and again in Node, from one definition so
// both sides do exactly the same work: read a file, import it, run it on the CPU interpreter on a
// fixed spike train, export and write it, and read the written bytes back.
import { evaluate, toArray } from '@spikeflow/core';
import { exportNir, importNir, readNir, writeNir, type NirGraph } from '../src/index.js';
import { bernoulliSpikes } from './spike-input.js';

/** The page stores its result (or `{ error }`) under this global; the test prepends the file's base64 as the other. */
export const RESULT_GLOBAL = '__spikeflowNirRoundTrip';
export const INPUT_GLOBAL = '__spikeflowNirInputBase64';

export const ROUND_TRIP_FILE = 'braille_noDelay_bias_zero.nir';
const STEPS = 8;
const BATCH = 1;
const INPUT_FEATURES = 12;

export interface RoundTripResult {
  /** Every graph output of the run, by name, as plain numbers (structured-clone and JSON safe). */
  readonly outputs: Record<string, number[]>;
  readonly writtenBytes: number;
  /** `[path, type]` of every node, nested graphs' nodes included, in the file's order. */
  readonly nodeTypes: [string, string][];
  readonly reReadNodeTypes: [string, string][];
}

function nodeTypes(graph: NirGraph, prefix = ''): [string, string][] {
  return [...graph.nodes].flatMap(([name, node]): [string, string][] => [
    [`${prefix}${name}`, node.type],
    ...(node.type === 'NIRGraph' ? nodeTypes(node, `${prefix}${name}.`) : []),
  ]);
}

export async function nirRoundTrip(bytes: Uint8Array): Promise<RoundTripResult> {
  const doc = await readNir(bytes, ROUND_TRIP_FILE);
  const model = importNir(doc, { dt: 1e-4, steps: STEPS, batch: BATCH, reset: 'to-reset-value' });
  const input = bernoulliSpikes(STEPS * BATCH * INPUT_FEATURES, 0.3, 7);
  const { outputs } = evaluate(model.graph, { inputs: { input }, params: model.params });
  const written = await writeNir(exportNir(model));
  const reRead = await readNir(written, `${ROUND_TRIP_FILE} as written`);
  return {
    outputs: Object.fromEntries(Object.entries(outputs).map(([name, tensor]) => [name, toArray(tensor)])),
    writtenBytes: written.length,
    nodeTypes: nodeTypes(doc.graph),
    reReadNodeTypes: nodeTypes(reRead.graph),
  };
}
