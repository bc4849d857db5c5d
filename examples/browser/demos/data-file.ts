import { adam, dataFileTasks, trainingGraph } from '@spikeflow/models';
import { labelledBatch, namedLayer, type Demo } from './demo.js';
import { BATCH, lifMlp } from './mnist-lif.js';

/** The LIF MLP of the MNIST demo trained on a data file the user picked (.npz or event table, see docs/data.md). */
export function dataFileDemo(bytes: Uint8Array, name: string): Demo {
  const split = dataFileTasks(bytes, name);
  const { info } = split.train;
  const shape = { steps: info.steps, inputs: info.inputSize, classes: info.outputSize };
  return {
    title: `LIF MLP on ${name}`,
    describe: `${name}: ${info.inputSize} inputs → 64 LIF → ${info.outputSize} LIF, ${info.steps} steps, batch ${BATCH}, Adam; chance ${info.chance.value.toFixed(2)}`,
    train: trainingGraph(lifMlp(false, shape), { loss: 'loss', optimizer: adam() }),
    probe: lifMlp(true, shape),
    scores: 'scores',
    layers: [namedLayer('hidden', 'hidden LIF layer (64)'), namedLayer('output', `output LIF layer (${info.outputSize})`)],
    weight: { param: 'linear0/w', rows: 'input', cols: 'hidden neuron' },
    lr: 0.01,
    chance: info.chance.value,
    trainBatch: (step) => labelledBatch(split.train.batch(BATCH, 1000 + step)),
    heldOut: labelledBatch((split.test ?? split.train).batch(BATCH, 7)),
  };
}
