import { fail } from './errors.js';
import { checkGathered, gatherFeed, type FeedElements, type FeedValue } from './feed-check.js';
import type { NodeId } from './graph.js';
import { checkSpikeElements } from './spike-inputs.js';
import type { TensorType } from './types.js';

/** A leaf a call may feed: its name and the value it is stored in. */
export interface NamedLeaf {
  readonly name: string;
  readonly value: NodeId;
}

/** One feed of a call, checked and ready to store. */
export interface CheckedFeed {
  readonly value: NodeId;
  readonly field: string;
  /** The type it was checked against (a declared spike input's declared type). */
  readonly type: TensorType;
  /** A declared spike input: every element was checked to be 0 or 1. */
  readonly spikes: boolean;
  readonly gathered: FeedElements;
}

/**
 * The feeds of one call of a compiled graph (its inputs, or params or state to set), checked the
 * way every backend must: an unknown name, a missing one (with `requireAll`) or a bad value is ONE
 * error naming it; names are looked up as own properties; every feed is gathered first (the
 * caller's getters and proxies run then, and only then), then all are checked, so the caller may
 * store them knowing that a rejected call changes nothing and a value checked is the value stored.
 * `leafType` gives a leaf's type and whether it is a declared spike input.
 */
export function checkNamedFeeds(
  kind: 'inputs' | 'params' | 'state',
  leaves: readonly NamedLeaf[],
  values: Readonly<Record<string, FeedValue>>,
  requireAll: boolean,
  leafType: (leaf: NamedLeaf) => { readonly type: TensorType; readonly spikes: boolean },
): CheckedFeed[] {
  const known = new Map(leaves.map((p) => [p.name, p.value]));
  const singular = kind === 'inputs' ? 'input' : kind === 'params' ? 'param' : 'state';
  for (const name of Object.keys(values)) if (!known.has(name)) fail('feed', `${kind}.${name}`, `the graph has no ${singular} of this name`, [...known.keys()].join(', ') || 'none', name);
  const feeds: CheckedFeed[] = [];
  for (const leaf of leaves) {
    const fed = Object.hasOwn(values, leaf.name) ? values[leaf.name] : undefined;
    const field = `${kind}.${leaf.name}`;
    if (fed === undefined) {
      if (requireAll) fail('feed', field, `missing ${singular} '${leaf.name}'`, 'a value', 'nothing');
      continue;
    }
    const { type, spikes } = leafType(leaf);
    feeds.push({ value: leaf.value, field, type, spikes, gathered: gatherFeed(fed, type, field) });
  }
  for (const { field, type, spikes, gathered } of feeds) {
    checkGathered(gathered, type.dtype, field);
    if (spikes) checkSpikeElements(gathered, type.dtype, field);
  }
  return feeds;
}
