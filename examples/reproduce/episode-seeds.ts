/**
 * Task seeds of the training, validation and held-out test episodes of one run: batch k of a split
 * uses seed base + k, and the bases are 2^30 apart, so the splits never share an episode.
 */
export interface EpisodeSeeds {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

export const episodeSeeds = (seed: number): EpisodeSeeds => ({ train: seed * 2 ** 32, validation: seed * 2 ** 32 + 2 ** 30, test: seed * 2 ** 32 + 2 ** 31 });
