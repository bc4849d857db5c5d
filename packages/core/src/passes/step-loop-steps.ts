import type { Node, NodeId } from '../graph.js';
import type { TensorType } from '../types.js';
import type { CopyStep, LoopStep } from './program.js';
import type { StackedOutput, StepLoopPlan, StepSlice } from './step-loop-plan.js';

/**
 * A scan's steps in a backend's program, generic over the backend's own step type `S` (its
 * kernels): the copies a step loop needs around its body's steps, and the loop itself. The
 * backends differ only in how a kernel copies a slice and how a body is lowered.
 */

/** What lowering a scan needs of a backend. */
export interface ScanStepsBackend<S> {
  /** Registers a temporary value (a copied-out input, a carry no one reads, a staged carry). */
  readonly addTemp: (id: NodeId, type: TensorType) => void;
  /** Bytes of a registered value. */
  readonly bytesOf: (id: NodeId) => number;
  /** A kernel copying one tensor of `type` from one slice to another. */
  readonly copySlice: (label: string, type: TensorType, from: StepSlice, to: StepSlice) => S;
}

/** What lowering a step loop needs of a backend besides copies. */
export interface StepLoopBackend<S> extends ScanStepsBackend<S> {
  /** Registers the body's values (named by `plan.valueOf`) and returns its steps. */
  readonly lowerBody: (plan: StepLoopPlan) => S[];
  /** The step storing a stacked output the plan marks `converted` (never called when none is). */
  readonly storeConverted?: (output: StackedOutput) => S;
}

/**
 * The scan's inputs as whole values: an input that is a per-step slice of an enclosing loop
 * (`slices[k].stride` not 0) is copied out into `<scanValue>/in<k>` first, because the scan's
 * kernels index by their own step.
 */
export function wholeScanInputs<S>(scan: Node<'scan'>, scanValue: NodeId, slices: readonly StepSlice[], types: readonly TensorType[], backend: ScanStepsBackend<S>): { inputs: NodeId[]; steps: S[] } {
  const steps: S[] = [];
  const inputs = slices.map((slice, k) => {
    if (slice.stride === 0) return slice.value;
    const copy = `${scanValue}/in${k}`;
    backend.addTemp(copy, types[k]!);
    steps.push(backend.copySlice(`${scan.name}/input${k}`, types[k]!, slice, { value: copy, stride: 0 }));
    return copy;
  });
  return { inputs, steps };
}

/** The steps of a planned step loop: seed the carries, then loop over the body, the stacked outputs' stores and the carry updates. */
export function stepLoopSteps<S>(plan: StepLoopPlan, label: string, backend: StepLoopBackend<S>): (S | CopyStep | LoopStep<S | CopyStep>)[] {
  const copy = (from: NodeId, to: NodeId): CopyStep => ({ kind: 'copy', from, to, bytes: backend.bytesOf(to) });
  const seeds = plan.carries.map((c) => {
    backend.addTemp(c.value, c.type);
    return copy(c.init, c.value);
  });
  const loop: (S | CopyStep)[] = backend.lowerBody(plan);
  for (const out of plan.stacked) {
    const store = out.converted ? backend.storeConverted?.(out) : undefined;
    loop.push(store ?? backend.copySlice(`${label}/output${out.index}`, out.type, out.from, out.to));
  }
  for (const { carry, value, staged } of plan.carryUpdates) {
    if (staged === undefined) continue;
    backend.addTemp(value, staged.type);
    loop.push(backend.copySlice(`${label}/carry${carry}`, staged.type, staged.from, { value, stride: 0 }));
  }
  for (const { carry, value } of plan.carryUpdates) loop.push(copy(value, plan.carries[carry]!.value));
  return [...seeds, { kind: 'loop', times: plan.times, body: loop, label }];
}
