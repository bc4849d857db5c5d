import { fail } from '@spikeflow/core';
import { tune } from './regression-task.js';

/**
 * The network's input channels for one arena observation [row, col, previousReward, one-hot
 * previous action (4)] (see `NavigationArena`): the row and the column each Gaussian-tuned onto
 * `size` channels centred on the cells (σ = `width` cells; place-cell-like), then previousReward /
 * `reward` on one channel, then the 4 action channels; every channel times `gain`. The layout is
 * `arenaInputSize(size)` = 2·size + 5 channels.
 */
export interface ArenaInputCode {
  readonly size: number;
  readonly reward: number;
  readonly width: number;
  readonly gain: number;
}

export const arenaInputSize = (size: number): number => 2 * size + 5;

/** Writes the channels of `observation` into `out` from `offset`. */
export function encodeArenaObservation(code: ArenaInputCode, observation: readonly number[], out: Float32Array, offset = 0): void {
  const { size, gain } = code;
  if (observation.length !== 7) fail('feed', 'arena observation', 'needs [row, col, previousReward, 4 action flags]', '7 values', String(observation.length));
  const cells = { neurons: size, low: 0, high: size - 1, width: code.width };
  tune(cells, observation[0]!, out, offset);
  tune(cells, observation[1]!, out, offset + size);
  out[offset + 2 * size] = observation[2]! / code.reward;
  for (let a = 0; a < 4; a++) out[offset + 2 * size + 1 + a] = observation[3 + a]!;
  for (let j = offset; j < offset + arenaInputSize(size); j++) out[j]! *= gain;
}
