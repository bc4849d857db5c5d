import { tensor, type HostTensor } from '@spikeflow/core';

/**
 * In-episode cue association (after Miconi et al. 2018): each episode draws K new random ±1 cues
 * and pairs them with the K classes in a random order; each pair is shown (cue and one-hot target)
 * for `show` steps followed by `gap` blank steps, then one of the cues is shown alone with a query
 * flag for `query` steps, and the answer is its class. Every class appears exactly once per
 * episode, so without binding cues to classes no strategy beats chance = 1/K.
 */
export interface CueAssociationOptions {
  readonly pairs: number;
  readonly cueSize: number;
  readonly show: number;
  readonly gap: number;
  readonly query: number;
}

export interface CueAssociationBatch {
  /** [T, B, cueSize + pairs + 1]: cue, one-hot target, query flag. */
  readonly x: HostTensor;
  /** [B] i32: the class of the queried cue. */
  readonly labels: HostTensor;
}

export function cueAssociationSteps(o: CueAssociationOptions): number {
  return o.pairs * (o.show + o.gap) + o.query;
}

export function cueAssociationInputSize(o: CueAssociationOptions): number {
  return o.cueSize + o.pairs + 1;
}

/** mulberry32: a small seeded generator, so every batch is a pure function of its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function cueAssociationBatch(o: CueAssociationOptions, batch: number, seed: number): CueAssociationBatch {
  const rand = random(seed);
  const [T, F, K] = [cueAssociationSteps(o), cueAssociationInputSize(o), o.pairs];
  const x = new Float32Array(T * batch * F);
  const labels = new Int32Array(batch);
  const at = (t: number, b: number, f: number) => (t * batch + b) * F + f;
  for (let b = 0; b < batch; b++) {
    const cues = Array.from({ length: K }, () => Array.from({ length: o.cueSize }, () => (rand() < 0.5 ? -1 : 1)));
    const classes = Array.from({ length: K }, (_, k) => k);
    for (let k = K - 1; k > 0; k--) {
      const j = Math.floor(rand() * (k + 1));
      [classes[k], classes[j]] = [classes[j]!, classes[k]!];
    }
    for (let k = 0; k < K; k++) {
      for (let s = 0; s < o.show; s++) {
        const t = k * (o.show + o.gap) + s;
        cues[k]!.forEach((v, f) => (x[at(t, b, f)] = v));
        x[at(t, b, o.cueSize + classes[k]!)] = 1;
      }
    }
    const q = Math.floor(rand() * K);
    for (let t = T - o.query; t < T; t++) {
      cues[q]!.forEach((v, f) => (x[at(t, b, f)] = v));
      x[at(t, b, F - 1)] = 1;
    }
    labels[b] = classes[q]!;
  }
  return { x: tensor([T, batch, F], x), labels: tensor([batch], labels, 'i32') };
}
