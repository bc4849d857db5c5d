import type { GraphBuilder, Tensor } from '@spikeflow/core';

/** Named [B, N] tensors carried from step to step (a neuron's state variables). */
export type CarriedState = Readonly<Record<string, Tensor>>;

export interface RecurrentScanArgs {
  /** [T, B, N]: the feed-forward current of every step, computed before the scan. */
  readonly drive: Tensor;
  /** [N, N]: the effective recurrent weight; row i holds the synapses leaving neuron i. */
  readonly weight: Tensor;
  /** The state at t = 0. */
  readonly initial: CarriedState;
  /** Outer tensors the step reads (learned params), passed in as scan constants. */
  readonly consts?: CarriedState;
  /**
   * One step on the total current I_t = drive_t + out_{t-1}·W_rec. `consts` are the body's own
   * handles on `args.consts`; `output` is what the next step feeds back (the spikes).
   */
  step(b: GraphBuilder, state: CarriedState, current: Tensor, consts: CarriedState): { readonly state: CarriedState; readonly output: Tensor };
}

export interface RecurrentScanRun {
  /** [T, B, N]: each step's output. */
  readonly output: Tensor;
  /** The state after the last step. */
  readonly state: CarriedState;
}

const byName = (names: readonly string[], values: readonly Tensor[]): CarriedState => Object.fromEntries(names.map((name, k) => [name, values[k]!]));

/**
 * A recurrent population as ONE scan over t: each step adds the previous step's output through
 * W_rec to its drive and runs `step`. The output at t = 0 is 0 (nothing has fired yet).
 */
export function recurrentScan(b: GraphBuilder, args: RecurrentScanArgs): RecurrentScanRun {
  const names = Object.keys(args.initial);
  const constNames = Object.keys(args.consts ?? {});
  const [, batch, n] = args.drive.shape;
  // The fed-back output is a carry of its own: a neuron's state need not hold its spikes (LIF keeps only v).
  const silent = b.constant(0, [batch!, n!]);
  const { carries, outputs } = b.scan({
    carries: [...names.map((name) => args.initial[name]!), silent],
    sequences: [args.drive],
    consts: [args.weight, ...constNames.map((name) => args.consts![name]!)],
    body: (bb, carried, [drive], [weight, ...inner]) => {
      const previous = carried[names.length]!;
      const next = args.step(bb, byName(names, carried), drive!.add(previous.matmul(weight!)), byName(constNames, inner));
      return { carries: [...names.map((name) => next.state[name]!), next.output], outputs: [next.output] };
    },
  });
  return { output: outputs[0]!, state: byName(names, carries) };
}
