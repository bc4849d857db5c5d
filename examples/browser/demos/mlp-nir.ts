// The page's LIF MLP as a NIR file, and back. The export is @spikeflow/nir's `exportSequential` of
// the MLP's sequential spec; the import reads the sizes and weights, rebuilds the spec and exports
// it again with those weights: the file is taken only if every node and field matches, so what the
// page trains is exactly what the file states. The nir module is passed in: the page loads it (and
// h5wasm's 4 MB of WebAssembly) only when a NIR file is written or read.
import type { NirArray, NirDocument, NirNode } from '@spikeflow/nir';
import { lifMlpSpec, type MlpShape, type MlpSpec } from './mnist-lif.js';
import { mlpOfSpec, type MlpOfSpec } from './mlp-spec-match.js';
import type { DemoSettings } from './settings.js';

export type NirModule = typeof import('@spikeflow/nir');

/** The simulation step NIR's time constants are written for: one page time step is 1 ms. */
export const NIR_DT = 1e-3;
/** The MLP's params, by the sequential model's names. */
export const MLP_PARAMS = ['linear0/w', 'linear2/w'] as const;
export type MlpParams = Readonly<Record<(typeof MLP_PARAMS)[number], Float32Array>>;

/** The MLP (its spec and weights) as the bytes of a NIR file. */
export async function writeMlpNir(nir: NirModule, spec: MlpSpec, params: MlpParams): Promise<Uint8Array> {
  const { document } = nir.exportSequential(spec, params, { dt: NIR_DT, inputShape: [spec.layers[0].in] });
  return nir.writeNir(document);
}

/** [out, in] (NIR) -> [in, out] (spikeflow). */
function transposed(a: NirArray): Float32Array {
  const [rows, cols] = a.shape as [number, number];
  return Float32Array.from({ length: rows * cols }, (_, k) => a.data[(k % rows) * cols + Math.floor(k / rows)]!);
}

const isArray = (v: unknown): v is NirArray => typeof v === 'object' && v !== null && Object.hasOwn(v, 'data') && Object.hasOwn(v, 'shape');

/** The first difference between two nodes' fields, as `field: …`, or undefined. */
function nodeDifference(want: NirNode, have: NirNode): string | undefined {
  const w = want as unknown as Readonly<Record<string, unknown>>;
  const h = have as unknown as Readonly<Record<string, unknown>>;
  for (const field of new Set([...Object.keys(w), ...Object.keys(h)])) {
    const [a, b] = [Object.hasOwn(w, field) ? w[field] : undefined, Object.hasOwn(h, field) ? h[field] : undefined];
    if (isArray(a) && isArray(b)) {
      if (a.shape.join() !== b.shape.join()) return `${field}: the page's LIF MLP has shape [${a.shape.join(', ')}], the file has [${b.shape.join(', ')}]`;
      const k = a.data.findIndex((v, i) => !Object.is(v, b.data[i]));
      if (k >= 0) return `${field}: the page's LIF MLP has ${a.data[k]} at element ${k}, the file has ${b.data[k]}`;
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      return `${field}: the page's LIF MLP has ${isArray(a) ? 'an array' : JSON.stringify(a)}, the file has ${isArray(b) ? 'an array' : JSON.stringify(b) ?? 'nothing'}`;
    }
  }
  return undefined;
}

/** Throws on the first node, edge or field where `have` differs from `want`. */
function matchDocument(want: NirDocument, have: NirDocument, file: string): void {
  for (const [name, node] of want.graph.nodes) {
    const found = have.graph.nodes.get(name);
    if (found === undefined) throw new Error(`${file}: nodes.${name}: the page's LIF MLP has a ${node.type} node "${name}", the file has none`);
    const difference = nodeDifference(node, found);
    if (difference !== undefined) throw new Error(`${file}: nodes.${name}.${difference}`);
  }
  for (const name of have.graph.nodes.keys()) if (!want.graph.nodes.has(name)) throw new Error(`${file}: nodes.${name}: the page's LIF MLP has no node "${name}"`);
  const edges = (d: NirDocument) => d.graph.edges.map(([a, b]) => `${a} → ${b}`).join(', ');
  if (edges(want) !== edges(have)) throw new Error(`${file}: edges: the page's LIF MLP has ${edges(want)}, the file has ${edges(have)}`);
}

/** What a NIR file holds of the page's MLP: the spec's sizes and settings, and the weights. */
export interface MlpFromNir extends MlpOfSpec {
  readonly params: MlpParams;
}

/**
 * Reads a NIR file written by `writeMlpNir` (or any file of the same nodes and values). NIR holds no
 * surrogate gradient, so `surrogate` gives it. Throws one line naming the file and the first node
 * or field the page's MLP cannot take.
 */
export async function readMlpNir(nir: NirModule, bytes: Uint8Array, file: string, surrogate: Pick<DemoSettings, 'surrogate' | 'alpha'>): Promise<MlpFromNir> {
  let doc: NirDocument;
  try {
    doc = await nir.readNir(bytes, file);
  } catch (error) {
    const line = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    throw new Error(line.includes(file) ? line : `${file}: ${line}`);
  }
  const nodes = doc.graph.nodes;
  const weight = (name: string): NirArray => {
    const node = nodes.get(name);
    if (node?.type !== 'Linear' || node.weight.shape.length !== 2) throw new Error(`${file}: nodes.${name}: the page's LIF MLP (input → linear0 → lif1 → linear2 → lif3 → output, or if1 and if3) needs a 2-D Linear node "${name}", the file has ${node ? `a ${node.type} node` : 'none'}`);
    return node.weight;
  };
  const [w0, w2] = [weight('linear0'), weight('linear2')];
  const neuron = nodes.has('if1') ? 'if' : 'lif';
  const [hidden, inputs] = w0.shape as [number, number];
  if (w2.shape[1] !== hidden) throw new Error(`${file}: nodes.linear2.weight: the page's LIF MLP takes the ${hidden} hidden neurons of linear0, the file's weight is [${w2.shape.join(', ')}]`);
  const shape: MlpShape = { steps: 1, inputs, classes: w2.shape[0]! };
  // The settings, checked against the page's bounds, as a spec import checks them.
  const { settings } = mlpOfSpec(lifMlpSpec(shape, { hidden, neuron, surrogate: surrogate.surrogate, alpha: surrogate.alpha }), file);
  const params: MlpParams = { 'linear0/w': transposed(w0), 'linear2/w': transposed(w2) };
  const expected = nir.exportSequential(lifMlpSpec(shape, settings), params, { dt: NIR_DT, inputShape: [inputs] }).document;
  matchDocument(expected, doc, file);
  return { shape: { inputs, classes: shape.classes }, settings, params };
}
