import type { Graph, Node, NodeId } from '../graph.js';
import { sizeOf, type TensorType, type TupleType } from '../types.js';
import type { Partition } from './partition.js';
import { simplify } from './simplify.js';

/**
 * How a scan that is not one elementwise kernel runs as a step loop, in values (backend-neutral):
 * its body, compiled once, runs T times with the step, reading per-step slices of the sequences
 * and writing per-step slices of the stacked outputs. Program values live in one namespace, so
 * a body node gets the value `<scan value>/<node id>` unless it is one of the scan's own inputs or
 * outputs. A backend turns the plan into its steps (see `stepLoopSteps`).
 */

/** Ids of the tupleGet nodes reading each element of a scan's tuple, by tuple index. */
export function elementReaders(graph: Graph, scan: NodeId): Map<number, NodeId> {
  const readers = new Map<number, NodeId>();
  for (const n of Object.values(graph.nodes)) {
    if (n.op === 'tupleGet' && n.inputs[0] === scan) readers.set(n.attrs.index, n.id);
  }
  return readers;
}

/** A tensor inside a value: its element 0 at step · stride elements (stride 0: the whole value, every step). */
export interface StepSlice {
  readonly value: NodeId;
  readonly stride: number;
}

/** A carry's value across steps: the final-carry output when read, else a temporary; seeded from `init`. */
export interface LoopCarry {
  readonly value: NodeId;
  readonly type: TensorType;
  /** The outer value the carry starts from (the scan's input). */
  readonly init: NodeId;
}

/** A per-step output read after the scan that no body kernel writes into its stacked value: one step stores it at every step. */
export interface StackedOutput {
  /** Its position among the per-step outputs (tuple index minus numCarries). */
  readonly index: number;
  /** The tupleGet node reading it after the scan. */
  readonly reader: NodeId;
  /** One step's type. */
  readonly type: TensorType;
  /** Where the body leaves it (a slice when the body passes a sequence through). */
  readonly from: StepSlice;
  /** Its slice of the stacked value (the reader's value, `readerValue`). */
  readonly to: StepSlice;
  /** Whether the backend stores it converted (`StepLoopOptions.convertedPerStep`) instead of copying it. */
  readonly converted: boolean;
}

/**
 * What ends a step for carry `carry`: `value` is copied into the carry. A new carry that is a body
 * input (another carry, a sequence slice) is first copied from `staged` into the temporary
 * `value`, so a permutation of carries never reads a carry already overwritten this step.
 */
export interface CarryUpdate {
  readonly carry: number;
  readonly value: NodeId;
  readonly staged?: { readonly from: StepSlice; readonly type: TensorType };
}

export interface StepLoopPlan {
  /** The simplified body. */
  readonly body: Graph;
  /** The backend's partition of `body`. */
  readonly part: Partition;
  readonly carries: readonly LoopCarry[];
  /** The program value of a body node. */
  readonly valueOf: (id: NodeId) => NodeId;
  /** Per-step element stride of body nodes that are slices of an outer value (reshape aliases included). */
  readonly strides: ReadonlyMap<NodeId, number>;
  /** Stacked outputs stored by a step after the body's, in order. */
  readonly stacked: readonly StackedOutput[];
  /** Carries the body changes, in order (a carry the body writes in place, or leaves as it is, has none). */
  readonly carryUpdates: readonly CarryUpdate[];
  /** The step index of each iteration, in order (descending for a reverse scan). */
  readonly times: readonly number[];
}

/** What the plan needs of a backend. */
export interface StepLoopOptions {
  /** The backend's partition of a (simplified) body. */
  readonly partition: (body: Graph) => Partition;
  /** The outer value the result read by tupleGet `reader` is written to. */
  readonly readerValue: (reader: NodeId) => NodeId;
  /**
   * Whether the backend stores stacked output `reader` (one step of `type`) converted by a step of
   * its own (WebGPU: packed as bits), so no body kernel writes into its stacked value; default never.
   */
  readonly convertedPerStep?: (reader: NodeId, type: TensorType) => boolean;
}

/**
 * The step loop of `scan` (whose program value is `scanValue`), given the outer values of its
 * inputs (`inputs`, whole values) and the readers of its tuple (`elementReaders`).
 */
export function planStepLoop(scan: Node<'scan'>, scanValue: NodeId, inputs: readonly NodeId[], readers: ReadonlyMap<number, NodeId>, options: StepLoopOptions): StepLoopPlan {
  const { numCarries, numSequences, length, reverse } = scan.attrs;
  const body = simplify(scan.attrs.body);
  const prefix = `${scanValue}/`;
  const typeOf = (id: NodeId) => body.nodes[id]!.type as TensorType;
  const carries = (scan.type as TupleType).tuple.slice(0, numCarries).map((type, k): LoopCarry => {
    const reader = readers.get(k);
    const value = reader === undefined ? `${prefix}carry${k}` : options.readerValue(reader);
    return { value, type, init: inputs[k]! };
  });

  // Body nodes map onto outer values where they are the scan's own inputs and outputs.
  const bodyIds = new Map<NodeId, NodeId>();
  const strides = new Map<NodeId, number>();
  body.inputs.forEach((id, k) => {
    bodyIds.set(id, k < numCarries ? carries[k]!.value : inputs[k]!);
    if (k >= numCarries && k < numCarries + numSequences) strides.set(id, sizeOf(typeOf(id).shape));
  });
  const part = options.partition(body);
  const outputIds = body.outputs.map((o) => part.aliases.get(o.node) ?? o.node);
  const perStep = outputIds.slice(numCarries).map((id, l) => ({ id, l, reader: readers.get(numCarries + l) }));
  const converted = new Set(perStep.flatMap(({ id, reader }) => (reader !== undefined && options.convertedPerStep?.(reader, typeOf(id)) ? [reader] : [])));
  // A per-step output computed by a body kernel is written straight into its stacked value
  // (unless it is converted per step: the kernel then writes the body's own value).
  const direct = new Set<NodeId>();
  for (const { id, reader } of perStep) {
    const computed = part.loads.has(id) && !bodyIds.has(id) && body.nodes[id]!.op !== 'tupleGet';
    const once = outputIds.filter((o) => o === id).length === 1;
    if (reader !== undefined && !converted.has(reader) && computed && once) {
      bodyIds.set(id, options.readerValue(reader));
      strides.set(id, sizeOf(typeOf(id).shape));
      direct.add(id);
    }
  }
  // A reshape alias is its source's memory, so it is the same per-step slice: kernels look strides
  // up by the node they load (the alias), and without this would read step 0's slice.
  for (const [alias, source] of part.aliases) {
    const stride = strides.get(source);
    if (stride !== undefined) strides.set(alias, stride);
  }
  const valueOf = (id: NodeId) => bodyIds.get(id) ?? `${prefix}${id}`;
  const sliceOf = (id: NodeId): StepSlice => ({ value: valueOf(id), stride: strides.get(id) ?? 0 });

  const stacked = perStep.flatMap(({ id, l, reader }): StackedOutput[] => {
    if (reader === undefined || direct.has(id)) return [];
    const type = typeOf(id);
    return [{ index: l, reader, type, from: sliceOf(id), to: { value: options.readerValue(reader), stride: sizeOf(type.shape) }, converted: converted.has(reader) }];
  });
  const carryUpdates = outputIds.slice(0, numCarries).flatMap((id, k): CarryUpdate[] => {
    if (valueOf(id) === carries[k]!.value) return [];
    if (!body.inputs.includes(id)) return [{ carry: k, value: valueOf(id) }];
    return [{ carry: k, value: `${prefix}next${k}`, staged: { from: sliceOf(id), type: typeOf(id) } }];
  });
  const times = Array.from({ length }, (_, s) => (reverse ? length - 1 - s : s));
  return { body, part, carries, valueOf, strides, stacked, carryUpdates, times };
}
