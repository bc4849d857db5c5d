import { adam, cueAssociation, cueAssociationNetwork, lif, trainingGraph, type CueAssociationNetworkOptions } from '@spikeflow/models';
import { labelledBatch, type Demo } from './demo.js';

const BATCH = 32;
/** Held-out episodes per probe: enough that the accuracy curve shows learning rather than sampling noise. */
const HELD_OUT = 128;
const HIDDEN = 32;
// Every episode pairs 2 new cues (one of 4 channels each) with the 2 classes; each pair is shown for
// 2 steps and a gap, then one cue comes back alone for 2 steps. The page trains this small version
// live: the spiking network learns it in about 100 Adam steps, where the 3-pair, 2-of-8-channel
// cues of the reproduce experiment take several hundred.
const task = cueAssociation({ pairs: 2, classes: 2, cueChannels: 4, cueActive: 1, presentSteps: 2, gapSteps: 1, delaySteps: 1, querySteps: 2 });
const network: CueAssociationNetworkOptions = {
  hidden: HIDDEN,
  unit: lif({ tau: 2, detachReset: true }),
  // Clipped Hebbian, clip(Hebb + η·x yᵀ, ±1). With α and η starting at 1, a pair shown once already
  // moves the spiking units, so training tunes the binding instead of first having to find it.
  plasticity: { rule: 'hebb', update: 'clip', alphaInit: 1, etaInit: 1 },
  // LIF units need a drive above threshold from one or two active input channels.
  initScale: 5,
  readoutSteps: 2,
};

export async function cueAssociationPlasticDemo(): Promise<Demo> {
  const { steps, chance } = task.info;
  return {
    title: 'plastic SNN cue association',
    describe: `every episode binds 2 new cues to the 2 classes; ${HIDDEN} LIF neurons with plastic recurrent synapses W + α ⊙ Hebb (clipped Hebbian rule), ${steps} steps, batch ${BATCH}, Adam; chance ${chance.value.toFixed(2)}; heat map of the learned plasticity coefficients α`,
    train: trainingGraph(cueAssociationNetwork(task.info, BATCH, network), { loss: 'loss', optimizer: adam() }),
    probe: cueAssociationNetwork(task.info, HELD_OUT, { ...network, record: true }),
    scores: 'logits',
    layers: [{ label: `plastic recurrent LIF layer (${HIDDEN})`, spikes: 'hidden', membrane: 'membrane' }],
    weight: { param: 'rec/alpha', rows: 'presynaptic neuron', cols: 'postsynaptic neuron' },
    lr: 0.03,
    chance: chance.value,
    trainBatch: (step) => labelledBatch(task.batch(BATCH, 1 + step)),
    heldOut: labelledBatch(task.batch(HELD_OUT, 1_000_000)),
  };
}
