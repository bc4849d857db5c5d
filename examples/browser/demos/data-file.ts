import { adam, trainingGraph, type TaskBatch, type TaskSplit } from '@spikeflow/models';
import { labelledBatch, namedLayer, type Demo } from './demo.js';
import { BATCH, HIDDEN, lifMlp } from './mnist-lif.js';

/**
 * The fraction of the batch's most frequent label: what always answering one class scores on it.
 * The held-out batch draws a small test part with replacement, so its mix can differ from the part's.
 */
function majorityFraction(batch: TaskBatch): number {
  const counts = new Map<number, number>();
  for (const label of batch.labels!.data) counts.set(Number(label), (counts.get(Number(label)) ?? 0) + 1);
  return Math.max(...counts.values()) / batch.labels!.data.length;
}

/** The LIF MLP of the MNIST demo trained on the tasks of a data file the user picked (.npz or event table, see docs/data.md). */
export function dataFileDemo(split: TaskSplit, name: string): Demo {
  const { info } = split.train;
  const shape = { steps: info.steps, inputs: info.inputSize, classes: info.outputSize };
  const heldOut = (split.test ?? split.train).batch(BATCH, 7);
  const chance = majorityFraction(heldOut);
  return {
    title: `LIF MLP on ${name}`,
    describe: `${name}: ${info.inputSize} inputs → ${HIDDEN} LIF → ${info.outputSize} LIF, ${info.steps} steps, batch ${BATCH}, Adam; held-out chance ${chance.toFixed(2)}`,
    train: trainingGraph(lifMlp(false, shape), { loss: 'loss', optimizer: adam() }),
    probe: lifMlp(true, shape),
    scores: 'scores',
    layers: [namedLayer('hidden', `hidden LIF layer (${HIDDEN})`), namedLayer('output', `output LIF layer (${info.outputSize})`)],
    weight: { param: 'linear0/w', rows: 'input', cols: 'hidden neuron' },
    lr: 0.01,
    chance,
    trainBatch: (step) => labelledBatch(split.train.batch(BATCH, 1000 + step)),
    heldOut: labelledBatch(heldOut),
  };
}
