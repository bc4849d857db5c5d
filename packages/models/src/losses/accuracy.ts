import { fail, formatShape, sizeOf, type HostTensor } from '@spikeflow/core';

/** Per row of scores [..., C], the index of the largest score; ties go to the first (as numpy). */
export function argmax(scores: HostTensor): number[] {
  const shape = scores.type.shape;
  if (shape.length < 1 || shape[shape.length - 1]! < 1) fail('shape', 'argmax', 'scores need a non-empty class axis', '[..., C]', formatShape(shape));
  const classes = shape[shape.length - 1]!;
  const rows = sizeOf(shape) / classes;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores.data[r * classes + c]! > scores.data[r * classes + best]!) best = c;
    return best;
  });
}

/** How many rows of scores [B, C] have the label as their argmax. */
export function countCorrect(scores: HostTensor, labels: HostTensor | ArrayLike<number>): number {
  const predicted = argmax(scores);
  const truth = 'type' in labels && 'data' in labels ? labels.data : labels;
  if (truth.length !== predicted.length) fail('shape', 'accuracy', 'one label per row of scores', `${predicted.length} labels`, `${truth.length}`);
  return predicted.reduce((n, p, i) => n + Number(p === truth[i]), 0);
}

/** The fraction of rows of scores [B, C] whose argmax is the label. */
export function accuracy(scores: HostTensor, labels: HostTensor | ArrayLike<number>): number {
  const correct = countCorrect(scores, labels);
  const rows = argmax(scores).length;
  if (rows === 0) fail('shape', 'accuracy', 'the accuracy of no samples is undefined', 'at least one row', 'none');
  return correct / rows;
}
