import type { Graph, HostTensor } from '@spikeflow/core';

/** A batch to feed, with what is needed to score the probe's outputs on it. */
export interface DemoBatch {
  readonly feeds: Readonly<Record<string, HostTensor>>;
  /** Fraction right, from the probe graph's `scores`. */
  accuracy(scores: HostTensor): number;
}

/**
 * What the page trains: a training graph, and a probe graph of the same params that also
 * outputs what the plots show. Probe outputs: `scores`, `spikes` [T, B, N], `membrane` [T, B, N].
 */
export interface Demo {
  readonly title: string;
  readonly describe: string;
  readonly train: Graph;
  readonly probe: Graph;
  /** The param drawn as a heat map, a [rows, cols] matrix. */
  readonly weight: string;
  readonly lr: number;
  trainBatch(step: number): DemoBatch;
  /** A fixed held-out batch, so the probe plots and accuracy are comparable from step to step. */
  readonly heldOut: DemoBatch;
}
