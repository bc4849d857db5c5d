import { fail } from '@spikeflow/core';
import type { NirArray, NirDocument, NirGraph, NirNode } from '../nir-graph.js';
import type { NirLeafNode } from '../import/flat-graph.js';
import type { NirModel } from '../import/import-nir.js';

/**
 * An imported model back to NIR: its nodes as they came, with the trained values of its params
 * (`<node>/weight`, `<node>/bias`, `<node>/scale`) in place of the file's, stored as float32.
 * Nested graphs are rebuilt from the names of their Input and Output nodes, so importing the
 * result with the same options gives the same graph.
 */
export function exportNir(model: NirModel, params: Readonly<Record<string, ArrayLike<number>>> = model.params): NirDocument {
  const { source } = model;
  const valueOf = (name: string, field: string, original: NirArray): NirArray => {
    const key = `${name}/${field}`;
    const values = Object.hasOwn(params, key) ? params[key]! : undefined;
    if (values === undefined) fail('interface', `params.${key}`, 'the model has this param, but no value was given for it');
    if (values.length !== original.data.length) fail('shape', `params.${key}`, 'the value has the wrong number of elements', `${original.data.length}`, `${values.length}`);
    return { dtype: 'float32', shape: [...original.shape], data: Float32Array.from(values) };
  };
  const withParams = (name: string, node: NirLeafNode): NirLeafNode => {
    switch (node.type) {
      case 'Linear':
        return { ...node, weight: valueOf(name, 'weight', node.weight) };
      case 'Affine':
        return { ...node, weight: valueOf(name, 'weight', node.weight), bias: valueOf(name, 'bias', node.bias) };
      case 'Conv1d':
      case 'Conv2d':
        return { ...node, weight: valueOf(name, 'weight', node.weight), bias: node.bias === undefined ? undefined : valueOf(name, 'bias', node.bias) };
      case 'Scale':
        return { ...node, scale: valueOf(name, 'scale', node.scale) };
      default:
        return node;
    }
  };

  // A nested graph is a prefix holding an inner Input or Output; each node belongs to the longest one.
  const prefixOf = (name: string) => name.slice(0, name.lastIndexOf('.'));
  const graphs = new Set([...source.inner].map(prefixOf));
  const ownerOf = (name: string): string => {
    let best = '';
    for (const g of graphs) if (name.startsWith(`${g}.`) && g.length > best.length && g !== name) best = g;
    return best;
  };
  const parentOf = (g: string) => ownerOf(g);
  const local = (owner: string, name: string) => (owner === '' ? name : name.slice(owner.length + 1));
  const chain = (name: string): string[] => {
    const out: string[] = [];
    for (let g = ownerOf(name); g !== ''; g = parentOf(g)) out.push(g);
    return [...out, ''];
  };
  const nodes = new Map<string, Map<string, NirNode>>([['', new Map()], ...[...graphs].map((g) => [g, new Map<string, NirNode>()] as const)]);
  const edges = new Map<string, [string, string][]>([...nodes.keys()].map((g) => [g, []]));
  for (const [name, node] of source.nodes) nodes.get(ownerOf(name))!.set(local(ownerOf(name), name), withParams(name, node));
  // An edge into (out of) a subgraph names the subgraph itself, which NIR resolves to its only Input (Output).
  const interfaceCount = (g: string, type: 'Input' | 'Output') => [...source.inner].filter((n) => ownerOf(n) === g && source.nodes.get(n)!.type === type).length;
  const address = (common: string, name: string, type: 'Input' | 'Output'): string => {
    const owner = ownerOf(name);
    if (owner === common) return local(common, name);
    const viaGraph = source.inner.has(name) && source.nodes.get(name)!.type === type && parentOf(owner) === common && interfaceCount(owner, type) === 1;
    return viaGraph ? local(common, owner) : local(common, name);
  };
  for (const [from, to] of source.edges) {
    const common = chain(from).find((g) => chain(to).includes(g))!;
    edges.get(common)!.push([address(common, from, 'Output'), address(common, to, 'Input')]);
  }
  // Innermost graphs first, so each is complete when its parent takes it in.
  const build = (g: string): NirGraph => ({ type: 'NIRGraph', nodes: nodes.get(g)!, edges: edges.get(g)! });
  for (const g of [...graphs].sort((a, b) => b.length - a.length)) nodes.get(parentOf(g))!.set(local(parentOf(g), g), build(g));
  return { version: model.version, graph: build('') };
}
