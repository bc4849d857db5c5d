import { simplify, type Node } from '@spikeflow/core';
import { isFusible, isKernelOp } from '../codegen/wgsl-rules.js';
import { wgslPartition } from '../compiler/wgsl-partition.js';

/**
 * The inputs (by index) that a scan run as a step loop can read bit-packed. The loop binds a
 * sequence or a constant input as the outer buffer itself (a sequence at `step · stride` elements),
 * and `loadStored` finds any element's bit, so packed bits serve as well as floats provided every
 * body reader is a kernel (elementwise, matmul, reduction, conv: all read through `loadStored`).
 * Not so for a carry (its buffer is copied whole into the carry), an input the body returns (a
 * carry update or a per-step output is copied out as floats), or one a nested scan reads (it
 * copies its slices as plain buffers).
 */
export function stepLoopPackedInputs(scan: Node<'scan'>, maxBindings: number): Set<number> {
  const body = simplify(scan.attrs.body);
  const part = wgslPartition(body, maxBindings);
  const returned = new Set(body.outputs.map((o) => part.aliases.get(o.node) ?? o.node));
  const readable = new Set<number>();
  body.inputs.forEach((input, k) => {
    if (k < scan.attrs.numCarries || returned.has(input)) return;
    // The input and the reshapes that alias its buffer.
    const views = new Set([input, ...[...part.aliases].filter(([, source]) => source === input).map(([alias]) => alias)]);
    const readers = Object.values(body.nodes).filter((n) => n.inputs.some((i) => views.has(i)) && !views.has(n.id));
    if (readers.every((n) => isFusible(n.op) || isKernelOp(n.op))) readable.add(k);
  });
  return readable;
}
