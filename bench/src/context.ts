import type { GpuContext } from '@spikeflow/webgpu';
import type { BenchConfig } from './config.js';
import type { Row } from './harness/row.js';
import type { Tf } from './tfjs/load.js';

/** What every suite gets: the sizes, spikeflow's device, tfjs (loaded on first use) and a log. */
export interface BenchContext {
  readonly config: BenchConfig;
  readonly gpu: GpuContext;
  tfjs(): Promise<Tf>;
  log(message: string): void;
}

/** One benchmark: it checks what it must, times, and returns its rows. */
export interface Suite {
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}
