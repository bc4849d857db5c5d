import type { Graph } from './graph.js';
import { formatType } from './types.js';

function escape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function quote(s: string): string {
  return `"${escape(s)}"`;
}

/** A two-line label; DOT reads a backslash-n inside a quoted string as a line break. */
function label(first: string, second: string): string {
  return `"${escape(first)}\\n${escape(second)}"`;
}

const LEAF_STYLE: Record<string, string> = {
  input: 'shape=invhouse, style=filled, fillcolor="#dbeafe"',
  param: 'shape=box, style=filled, fillcolor="#fef3c7"',
  state: 'shape=box, style="filled,dashed", fillcolor="#dcfce7"',
  constant: 'shape=plaintext',
};

/** Graphviz DOT text of a graph: one box per node (scope path, op, type), an edge per input. */
export function toDot(graph: Graph, title = 'spikeflow'): string {
  const lines = [`digraph ${quote(title)} {`, '  rankdir=TB;', '  node [fontname="Helvetica", fontsize=10];'];
  for (const node of Object.values(graph.nodes)) {
    const style = LEAF_STYLE[node.op] ?? 'shape=box, style=rounded';
    lines.push(`  ${quote(node.id)} [label=${label(node.name, `${node.op} : ${formatType(node.type)}`)}, ${style}];`);
  }
  for (const node of Object.values(graph.nodes)) {
    for (const input of node.inputs) lines.push(`  ${quote(input)} -> ${quote(node.id)};`);
  }
  for (const out of graph.outputs) {
    const id = `out:${out.name}`;
    lines.push(`  ${quote(id)} [label=${quote(out.name)}, shape=house, style=filled, fillcolor="#fee2e2"];`);
    lines.push(`  ${quote(out.node)} -> ${quote(id)};`);
  }
  for (const s of graph.state) lines.push(`  ${quote(s.update)} -> ${quote(s.node)} [style=dashed, constraint=false];`);
  lines.push('}');
  return lines.join('\n');
}
