import { fail } from '@spikeflow/core';
import type { NirGraph, NirNode } from '../nir-graph.js';

/** A name that would reach Object.prototype if it ever indexed a plain object (`__proto__`, `constructor`, ...). */
function isReservedName(name: string): boolean {
  return name === '__proto__' || name === 'prototype' || Object.hasOwn(Object.prototype, name);
}

/** A NIR node that is not a graph: what the importer maps one by one. */
export type NirLeafNode = Exclude<NirNode, NirGraph>;

/**
 * A NIR graph with every nested NIRGraph expanded in place: its nodes are named
 * `outer.inner` (the convention of NIR files, e.g. `lif1.lif`), its Input and Output nodes stay as
 * identity nodes `outer.input`, and an edge to or from the graph itself is an edge to its Input
 * or from its Output. Nodes and edges keep their file order, which fixes the order in which a
 * node's inputs are summed.
 */
export interface FlatGraph {
  readonly nodes: ReadonlyMap<string, NirLeafNode>;
  readonly edges: readonly (readonly [string, string])[];
  /** Input and Output nodes of nested graphs: identities inside the flat graph, not its interface. */
  readonly inner: ReadonlySet<string>;
}

function only(graph: NirGraph, type: 'Input' | 'Output', name: string): string {
  const found = [...graph.nodes].filter(([, n]) => n.type === type).map(([k]) => k);
  if (found.length !== 1) {
    fail('attr', name, `an edge names the subgraph '${name}' itself, so it needs exactly one ${type} node; name the ${type} node instead ('${name}.<node>')`, `1 ${type} node`, `${found.length}`);
  }
  return `${name}.${found[0]}`;
}

/** The node an edge endpoint names, resolving a subgraph to its single Input (as a target) or Output (as a source). */
function endpoint(graph: NirGraph, prefix: string, name: string, role: 'source' | 'target'): string {
  const node = graph.nodes.get(name);
  const full = prefix + name;
  if (node === undefined) {
    const dot = name.indexOf('.');
    const inner = dot > 0 ? graph.nodes.get(name.slice(0, dot)) : undefined;
    if (inner?.type === 'NIRGraph') return prefix + name.slice(0, dot) + '.' + endpoint(inner, '', name.slice(dot + 1), role);
    fail('missing-node', `${prefix}edges`, `an edge names the node '${full}', which this graph does not have`, 'a node of the graph', full);
  }
  if (node.type !== 'NIRGraph') return full;
  return only(node, role === 'target' ? 'Input' : 'Output', full);
}

export function flattenGraph(graph: NirGraph): FlatGraph {
  const nodes = new Map<string, NirLeafNode>();
  const edges: [string, string][] = [];
  const inner = new Set<string>();
  const visit = (g: NirGraph, prefix: string, depth: number): void => {
    if (depth > 32) fail('limit', prefix, 'NIR graphs nest more than 32 deep');
    for (const [name, node] of g.nodes) {
      const full = prefix + name;
      if (isReservedName(full) || name === '') fail('schema', full, `the node name '${full}' is reserved (it names a member of every JavaScript object) or empty`);
      if (node.type === 'NIRGraph') visit(node, `${full}.`, depth + 1);
      else {
        if (nodes.has(full)) fail('attr', full, `two nodes are both named '${full}' once nested graphs are expanded`);
        nodes.set(full, node);
        if (depth > 0 && (node.type === 'Input' || node.type === 'Output')) inner.add(full);
      }
    }
    for (const [from, to] of g.edges) edges.push([endpoint(g, prefix, from, 'source'), endpoint(g, prefix, to, 'target')]);
  };
  visit(graph, '', 0);
  return { nodes, edges, inner };
}
