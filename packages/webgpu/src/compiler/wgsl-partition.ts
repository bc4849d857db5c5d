import { partition, type Graph, type Partition } from '@spikeflow/core';
import { isFusible } from '../codegen/wgsl-rules.js';

/** Core's partition with the WGSL rules' fusibility, under the device's storage-binding limit. */
export function wgslPartition(graph: Graph, maxBindings: number): Partition {
  return partition(graph, maxBindings, isFusible);
}
