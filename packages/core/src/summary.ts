import { leafName, type Graph } from './graph.js';
import { formatShape, formatType, sizeOf, type Shape } from './types.js';

export interface ScopeSummary {
  /** First segment of the node names: a layer in a declarative model. */
  readonly scope: string;
  readonly ops: number;
  readonly params: readonly { readonly name: string; readonly shape: Shape; readonly size: number }[];
  readonly paramCount: number;
}

export interface GraphSummary {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly state: readonly string[];
  readonly scopes: readonly ScopeSummary[];
  readonly nodeCount: number;
  readonly paramCount: number;
}

/** Per-scope node and parameter counts of a graph (nested scan bodies count as one op). */
export function summarize(graph: Graph): GraphSummary {
  const scopes = new Map<string, { ops: number; params: { name: string; shape: Shape; size: number }[] }>();
  for (const node of Object.values(graph.nodes)) {
    const scope = node.name.includes('/') ? node.name.slice(0, node.name.indexOf('/')) : '<root>';
    const entry = scopes.get(scope) ?? { ops: 0, params: [] };
    scopes.set(scope, entry);
    if (node.op === 'param') {
      const { name, shape } = node.attrs;
      entry.params.push({ name, shape, size: sizeOf(shape) });
    } else if (node.op !== 'input' && node.op !== 'constant' && node.op !== 'tupleGet') entry.ops++;
  }
  const leaf = (id: string) => {
    const n = graph.nodes[id]!;
    return `${leafName(n)}: ${formatType(n.type)}`;
  };
  const out = (o: { name: string; node: string }) => {
    return `${o.name}: ${formatType(graph.nodes[o.node]!.type)}`;
  };
  const list = [...scopes].map(([scope, e]) => ({ scope, ops: e.ops, params: e.params, paramCount: e.params.reduce((s, p) => s + p.size, 0) }));
  return {
    inputs: graph.inputs.map(leaf),
    outputs: graph.outputs.map(out),
    state: graph.state.map((s) => leaf(s.node)),
    scopes: list,
    nodeCount: Object.keys(graph.nodes).length,
    paramCount: list.reduce((s, e) => s + e.paramCount, 0),
  };
}

/** A plain-text table of a summary, for terminals and logs. */
export function formatSummary(s: GraphSummary): string {
  const rows = s.scopes.map((e) => [e.scope, String(e.ops), e.params.map((p) => `${p.name.split('/').pop()}${formatShape(p.shape)}`).join(' ') || '-', String(e.paramCount)]);
  const header = ['scope', 'ops', 'params', 'count'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    `inputs:  ${s.inputs.join(', ')}`,
    `outputs: ${s.outputs.join(', ')}`,
    ...(s.state.length > 0 ? [`state:   ${s.state.join(', ')}`] : []),
    '',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    `${s.nodeCount} nodes, ${s.paramCount} parameters`,
  ].join('\n');
}
