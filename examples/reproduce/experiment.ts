import type { TrainBackend } from '@spikeflow/core';

/** One reproduced number: what was trained, on what, for how long, and what it reached on held-out data. */
export interface ResultRow {
  /** The experiment's id (the `--only=` name). */
  readonly experiment: string;
  /** The network variant, e.g. 'ALIF (LSNN)' or 'LIF (beta = 0)'. */
  readonly model: string;
  /** What `value` measures on held-out data, e.g. 'recall error' or 'test accuracy'. */
  readonly metric: string;
  readonly value: number;
  /** The published bar this row is checked against, when it has one, e.g. '< 0.05'. */
  readonly target?: string;
  /** Whether `value` meets `target` (absent without a target). */
  readonly met?: boolean;
  readonly seed: number;
  /** Task scale, network sizes and training budget (steps, batch, optimizer, lr, ...). */
  readonly sizes: Readonly<Record<string, number | string>>;
  /** What it ran on, in words; starts with the backend's name when it ran on WebGPU or WebAssembly (row-backend.ts). */
  readonly device: string;
  readonly wall_s: number;
  /** Anything else worth keeping: learning curves, connection counts, ... */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Filled in by the runner: the command that reproduces this row. */
  readonly command?: string;
  /** Filled in by the runner: the commit the code came from (marked when the tree had local changes). */
  readonly revision?: string;
}

export interface ExperimentContext {
  /** A few steps at small sizes: a smoke run of the code path, not a result. */
  readonly quick: boolean;
  readonly seed: number;
  /** The variants to train (`--variants=`), for an experiment that declares them; absent: all. */
  readonly variants?: readonly string[];
  /** The backend the run was given (`--backend`): WebGPU, the WebAssembly backend or the CPU interpreter. */
  readonly backend: TrainBackend;
  /** The backend's device, in words, for the results file: its first word names the backend (row-backend.ts). */
  readonly device: string;
  /** Where the run's files go (results/, or results/quick/ for --quick), for an experiment that writes a plot. */
  readonly resultsDir: string;
  /** Prints a progress line (timestamped by the runner). */
  readonly log: (line: string) => void;
}

export interface Experiment {
  /** The `--only=` name. */
  readonly id: string;
  /** One line for RESULTS.md: the task, its scale, and the claim being reproduced. */
  readonly title: string;
  /** Names of the models it trains that can be run alone (`--variants=`), e.g. to add seeds of one model. */
  readonly variants?: readonly string[];
  readonly run: (ctx: ExperimentContext) => Promise<ResultRow[]>;
}
