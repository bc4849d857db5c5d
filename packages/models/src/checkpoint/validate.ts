import { fail, formatType, nodeAs, sameShape, type Graph, type TensorType } from '@spikeflow/core';
import { decodeCheckpoint, type Checkpoint } from './format.js';

/** The state a checkpoint of this training graph must hold: every state leaf's name and type. */
export function checkpointTypes(trainGraph: Graph): Map<string, TensorType> {
  return new Map(
    trainGraph.state.map((s) => {
      const node = nodeAs(trainGraph, s.node, 'state');
      return [node.attrs.name, node.type as TensorType];
    }),
  );
}

/**
 * Rejects a checkpoint unless it holds exactly the expected tensors, each of the expected shape
 * and dtype. Own properties only: an inherited name (`constructor`, `__proto__`) is not a tensor.
 */
export function expectCheckpointMatches(checkpoint: Checkpoint, expected: ReadonlyMap<string, TensorType>): void {
  for (const [name, type] of expected) {
    const t = Object.hasOwn(checkpoint.tensors, name) ? checkpoint.tensors[name] : undefined;
    if (t === undefined) fail('checkpoint', `tensors.${name}`, 'the checkpoint lacks this state of the training graph', formatType(type), 'nothing');
    if (!sameShape(t.type.shape, type.shape) || t.type.dtype !== type.dtype) {
      fail('checkpoint', `tensors.${name}`, 'the checkpoint holds this state with another type', formatType(type), formatType(t.type));
    }
  }
  for (const name of Object.keys(checkpoint.tensors)) {
    if (!expected.has(name)) fail('checkpoint', `tensors.${name}`, 'the training graph has no state of this name', [...expected.keys()].join(', ') || 'none', name);
  }
}

/** Decodes checkpoint bytes and checks every tensor against the training graph's state. */
export function loadCheckpoint(bytes: Uint8Array, trainGraph: Graph): Checkpoint {
  const checkpoint = decodeCheckpoint(bytes);
  expectCheckpointMatches(checkpoint, checkpointTypes(trainGraph));
  return checkpoint;
}
