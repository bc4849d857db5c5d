/** Spike trains stored as bits: element e is bit e % 32 of u32 word e / 32. */
export const SPIKES_PER_WORD = 32;

/** u32 words that hold `elements` bits (at least one, as every buffer holds at least 4 bytes). */
export function packedWords(elements: number): number {
  return Math.max(1, Math.ceil(elements / SPIKES_PER_WORD));
}
