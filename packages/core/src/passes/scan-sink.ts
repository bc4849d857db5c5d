import { eliminateDeadNodes, roots } from '../analysis.js';
import type { AnyNode, Graph, Node, NodeId } from '../graph.js';
import { GraphBuilder } from '../trace/builder.js';
import { bytesOf, freshIds, isResident, isRowWiseMatmul, nodeRecord, readersOf, rowsPerStep, tensorType, throughReshapes } from './graph-records.js';
import { accumulateOneContraction } from './scan-accumulate.js';
import { finishBody, redeclareInput, replayBody, unusedInputName } from './scan-body.js';
import { isStepBlockInput } from './segment-scans.js';

/**
 * Moves work over whole sequences into the segment scans of checkpointed BPTT, so no
 * full-sequence [T, B, H] buffer remains:
 * - a row-wise matmul `a · w` whose result a segment scan reads as a sequence is computed per
 *   segment inside it, from `a`'s rows of that segment (x·W1 in the forward and its recompute,
 *   dS = dH·W2ᵀ in the backward), here;
 * - a contraction over rows `aᵀ · y` of a segment scan's stacked output y is accumulated in a new
 *   carry, segment by segment (the weight gradient xᵀ·dH1), in scan-accumulate.ts.
 * Each row of a row-wise matmul is computed as before, so sinking changes no number; the
 * accumulated contraction sums its rows per segment, then the segments in processing order.
 */
export function sinkIntoSegmentScans(graph: Graph): Graph {
  for (let out = graph; ; ) {
    const next = sinkOneProducer(out) ?? accumulateOneContraction(out);
    if (next === undefined) return out;
    out = next;
  }
}

/** A row-wise matmul feeding input k of `scan` as a sequence, movable into the scan, with its rows per step. */
function sinkableProducer(graph: Graph, scan: Node<'scan'>, k: number): { matmul: Node<'matmul'>; rows: number } | undefined {
  const { numCarries: nc, numSequences: ns, body } = scan.attrs;
  if (k < nc || k >= nc + ns || !isStepBlockInput(body, body.inputs[k]!)) return undefined;
  const value = graph.nodes[scan.inputs[k]!]!;
  const matmul = throughReshapes(graph, value.id);
  if (!isRowWiseMatmul(matmul, graph)) return undefined;
  const rows = rowsPerStep(tensorType(value).shape.slice(1), tensorType(matmul).shape[1]!);
  // The scan then reads `a` instead of the product: worth it when `a` is no larger or stays anyway.
  const a = graph.nodes[matmul.inputs[0]!]!;
  const cheap = isResident(throughReshapes(graph, a.id)) || bytesOf(a) <= bytesOf(matmul);
  return rows === undefined || !cheap ? undefined : { matmul, rows };
}

/**
 * Whether every reader of `matmul` (through reshapes) is a segment scan that can take it in: only
 * then does the full product stop being stored; otherwise sinking would only add work.
 */
function sinksEverywhere(graph: Graph, matmul: Node<'matmul'>, readers: ReadonlyMap<NodeId, AnyNode[]>): boolean {
  const kept = new Set(roots(graph));
  const ok = (id: NodeId): boolean =>
    !kept.has(id) &&
    (readers.get(id) ?? []).every((r) => {
      if (r.op === 'reshape') return ok(r.id);
      return r.op === 'scan' && r.inputs.every((input, k) => input !== id || sinkableProducer(graph, r, k)?.matmul === matmul);
    });
  return ok(matmul.id);
}

/** `graph` with one row-wise matmul moved into one segment scan, or undefined when none moves. */
function sinkOneProducer(graph: Graph): Graph | undefined {
  const readers = readersOf(graph);
  for (const scan of Object.values(graph.nodes)) {
    if (scan.op !== 'scan') continue;
    for (let k = 0; k < scan.inputs.length; k++) {
      const found = sinkableProducer(graph, scan, k);
      if (found !== undefined && sinksEverywhere(graph, found.matmul, readers)) return sinkProducer(graph, scan, k, found.matmul, found.rows);
    }
  }
  return undefined;
}

/**
 * Scan input k (a sequence: rows of `a · w`) becomes the same rows of `a`, and `w` a new const;
 * the body multiplies its block of rows by `w` and reads the product where it read the slice.
 */
function sinkProducer(graph: Graph, scan: Node<'scan'>, k: number, matmul: Node<'matmul'>, rows: number): Graph {
  const nodes: Record<NodeId, AnyNode> = { ...graph.nodes };
  const newId = freshIds(nodes);
  const [aId, wId] = matmul.inputs as [NodeId, NodeId];
  const a = tensorType(graph.nodes[aId]!);
  const w = tensorType(graph.nodes[wId]!);
  const stem = matmul.name.split('/').pop()!;
  const sequence = newId();
  // Reshaped from the start of a reshape chain, so backends alias the one buffer they store.
  nodes[sequence] = nodeRecord(nodes, sequence, 'reshape', [throughReshapes(graph, aId).id], { shape: [scan.attrs.length, rows, a.shape[1]!] }, `${scan.name}/sunk/${stem}_rows`);

  const { body } = scan.attrs;
  const sub = new GraphBuilder();
  const ins = body.inputs.map((_, i) => redeclareInput(sub, body, i, i === k ? { shape: [rows, a.shape[1]!], dtype: a.dtype } : undefined));
  const weight = sub.input(unusedInputName(body, 'weight'), w.shape, w.dtype);
  const block = sub.op('matmul', [ins[k]!, weight], matmul.attrs, `${scan.name}/body/sunk/${stem}`).reshape(tensorType(body.nodes[body.inputs[k]!]!).shape);
  const value = replayBody(sub, body, (i) => (i === k ? block : ins[i]!));
  const next: Node<'scan'> = {
    ...scan,
    inputs: [...scan.inputs.slice(0, k), sequence, ...scan.inputs.slice(k + 1), wId],
    attrs: { ...scan.attrs, body: finishBody(sub, body.outputs.map((o) => ({ name: o.name, value: value(o.node) }))) },
  };
  nodes[scan.id] = next;
  return eliminateDeadNodes({ ...graph, nodes });
}
