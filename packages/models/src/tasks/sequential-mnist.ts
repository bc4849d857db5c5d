import { fail } from '@spikeflow/core';
import { BatchWriter } from './batch-writer.js';
import { classCounts, MNIST_CLASSES, MNIST_PIXELS, MNIST_SIDE, type MnistData } from './mnist-data.js';
import { checkFinite, checkInt } from './options.js';
import { permutation } from './task-rng.js';
import { defineTask, type Task, type TaskInfo } from './task.js';

/**
 * How an image becomes a sequence:
 * - 'row': sequential MNIST row by row, T = 28 steps of the 28 pixels of row t.
 * - 'pixel': sequential MNIST pixel by pixel in raster order, T = 784 steps of 1 pixel
 *   (Le, Jaitly & Hinton 2015, "A simple way to initialize recurrent networks of rectified
 *   linear units"; the LSNN paper's sMNIST).
 * - 'permuted': pixel by pixel in a fixed random order, step t showing pixel perm[t] (pMNIST,
 *   same paper), perm = `mnistPermutation(permutationSeed)`.
 * - 'rate': Bernoulli rate code for feed-forward SNNs, T = `steps`, each of the 784 inputs
 *   spiking with probability min(1, gain·intensity) per step, independently.
 * Pixel values are the package's intensities in [0, 1].
 */
export type MnistEncoding = 'row' | 'pixel' | 'permuted' | 'rate';

export interface SequentialMnistOptions {
  readonly encoding: MnistEncoding;
  /** 'permuted': the seed of the pixel order (default 0), fixed for the task's lifetime. */
  readonly permutationSeed?: number;
  /** 'rate': the number of steps (default 25). */
  readonly steps?: number;
  /** 'rate': spike probability per step of a pixel of intensity 1 (default 1). */
  readonly gain?: number;
}

/** The fixed pixel order of permuted MNIST: a permutation of 0..783 drawn from `seed`. */
export function mnistPermutation(seed = 0): Int32Array {
  return permutation(MNIST_PIXELS, seed);
}

/**
 * MNIST as a sequence task over `data` (a split from `mnistSplit`). An episode is an example
 * index: `sample` draws one uniformly, with replacement; for epochs, `encode` the indices of a
 * shuffle. Every step carries the label as target; `mask` scores the last step of a sequential
 * encoding (the digit is complete only then) and every step of the rate code (a spike count
 * decides). `labels` holds the digit.
 */
export function sequentialMnist(data: MnistData, options: SequentialMnistOptions): Task<number> {
  const { encoding, permutationSeed = 0, steps: rateSteps = 25, gain = 1 } = options;
  if (!['row', 'pixel', 'permuted', 'rate'].includes(encoding)) fail('spec', 'encoding', 'unknown MNIST encoding', 'row, pixel, permuted or rate', String(encoding));
  if (data.count < 1) fail('feed', 'data', 'no MNIST examples to draw from', '>= 1 example', '0');
  checkInt('steps', rateSteps, 1);
  checkFinite('gain', gain);
  const order = encoding === 'permuted' ? mnistPermutation(permutationSeed) : undefined;
  const [steps, inputSize] = {
    row: [MNIST_SIDE, MNIST_SIDE],
    pixel: [MNIST_PIXELS, 1],
    permuted: [MNIST_PIXELS, 1],
    rate: [rateSteps, MNIST_PIXELS],
  }[encoding];
  const majority = Math.max(...classCounts(data.labels)) / data.count;
  const info: TaskInfo = {
    name: `mnist/${encoding}`,
    steps: steps!,
    inputSize: inputSize!,
    target: 'class',
    outputSize: MNIST_CLASSES,
    chance: { metric: 'accuracy', value: majority, why: 'always answering the most frequent class of these examples' },
  };

  return defineTask(info, (rng) => rng.int(data.count), (indices, rng) => {
    const w = new BatchWriter(info, indices.length, { labels: true });
    indices.forEach((index, b) => {
      checkInt(`indices[${b}]`, index, 0, data.count - 1);
      const image = data.images.subarray(index * MNIST_PIXELS, (index + 1) * MNIST_PIXELS);
      for (let t = 0; t < info.steps; t++) {
        if (encoding === 'row') {
          for (let c = 0; c < MNIST_SIDE; c++) w.x[w.at(t, b, c)] = image[t * MNIST_SIDE + c]!;
        } else if (encoding === 'rate') {
          for (let p = 0; p < MNIST_PIXELS; p++) w.x[w.at(t, b, p)] = rng.bernoulli(Math.min(1, gain * image[p]!));
        } else {
          w.x[w.at(t, b, 0)] = image[order ? order[t]! : t]!;
        }
      }
      const label = data.labels[index]!;
      w.answerClass(encoding === 'rate' ? 0 : info.steps - 1, info.steps, b, label);
      w.label(b, label);
    });
    return w.finish();
  });
}
