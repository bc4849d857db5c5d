import type { GpuContext } from '@spikeflow/webgpu';
import type { BenchConfig } from './config.js';
import type { Row } from './harness/row.js';
import type { PeerSet } from './peers/peer-set.js';

/** What every suite gets: the sizes, spikeflow's device, the peers found on this machine (looked for on first use) and a log. */
export interface BenchContext {
  readonly config: BenchConfig;
  readonly gpu: GpuContext;
  peers(): Promise<PeerSet>;
  log(message: string): void;
}

/** One benchmark: it checks what it must, times, and returns its rows. */
export interface Suite {
  readonly id: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<Row[]>;
}
