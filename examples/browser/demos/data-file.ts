import { adam, trainingGraph, type TaskBatch, type TaskSplit } from '@spikeflow/models';
import { labelledBatch, namedLayer, type Demo } from './demo.js';
import { HELD_OUT, LIF_MLP_SETTINGS, lifMlp, lifMlpSpec, neuronLabel, surrogateLabel } from './mnist-lif.js';
import type { DemoSettings, SettingName } from './settings.js';

/** The LIF MLP's settings, less T: a data file fixes its steps. */
export const DATA_FILE_SETTINGS: readonly SettingName[] = LIF_MLP_SETTINGS.filter((name) => name !== 'steps');

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
export function dataFileDemo(split: TaskSplit, name: string, s: DemoSettings): Demo {
  const { info } = split.train;
  const shape = { steps: info.steps, inputs: info.inputSize, classes: info.outputSize };
  const heldOut = (split.test ?? split.train).batch(HELD_OUT, 7);
  const chance = majorityFraction(heldOut);
  const n = neuronLabel(s);
  return {
    title: `LIF MLP on ${name}`,
    describe: `${name}: ${info.inputSize} inputs → ${s.hidden} ${n} → ${info.outputSize} ${n}, ${info.steps} steps, ${surrogateLabel(s)}, batch ${s.batch}, Adam lr ${s.lr}; held-out chance ${chance.toFixed(2)}`,
    train: trainingGraph(lifMlp(false, shape, s), { loss: 'loss', optimizer: adam() }),
    probe: lifMlp(true, shape, s),
    scores: 'scores',
    layers: [namedLayer('hidden', `hidden ${n} layer (${s.hidden})`, 1), namedLayer('output', `output ${n} layer (${info.outputSize})`, 1)],
    weight: { param: 'linear0/w', rows: 'input', cols: 'hidden neuron' },
    lr: s.lr,
    chance,
    trainBatch: (step) => labelledBatch(split.train.batch(s.batch, 1000 + step)),
    heldOut: labelledBatch(heldOut),
    sequential: lifMlpSpec(shape, s),
  };
}
