import { partition, type Graph, type Partition } from '@spikeflow/core';
import { isWasmFusible } from '../codegen/wasm-rules.js';

/** Core's partition with the WASM rules' fusibility; one kernel may read any number of values. */
export function wasmPartition(graph: Graph): Partition {
  return partition(graph, Infinity, isWasmFusible);
}
