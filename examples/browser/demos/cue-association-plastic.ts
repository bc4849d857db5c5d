import { adam, cueAssociation, cueAssociationNetwork, lif, trainingGraph, type CueAssociationNetworkOptions } from '@spikeflow/models';
import { labelledBatch, type Demo } from './demo.js';
import { surrogateLabel } from './mnist-lif.js';
import type { DemoSettings, SettingName } from './settings.js';

/** Held-out episodes per probe: enough that the accuracy curve shows learning rather than sampling noise. */
const HELD_OUT = 128;
// Every episode pairs 2 new cues (one of 4 channels each) with the 2 classes; each pair is shown for
// 2 steps and a gap, then one cue comes back alone for 2 steps. The page trains this small version
// live: the spiking network learns it in about 100 Adam steps, where the 3-pair, 2-of-8-channel
// cues of the reproduce experiment take several hundred.
const task = cueAssociation({ pairs: 2, classes: 2, cueChannels: 4, cueActive: 1, presentSteps: 2, gapSteps: 1, delaySteps: 1, querySteps: 2 });
export const CUE_DEFAULTS: DemoSettings = { lr: 0.03, batch: 32, hidden: 32, steps: task.info.steps, surrogate: 'atan', alpha: 2, neuron: 'lif' };
export const CUE_SETTINGS: readonly SettingName[] = ['lr', 'batch', 'hidden', 'surrogate', 'alpha'];

const network = (s: DemoSettings): CueAssociationNetworkOptions => ({
  hidden: s.hidden,
  unit: lif({ tau: 2, detachReset: true, surrogate: s.surrogate, alpha: s.alpha }),
  // Clipped Hebbian, clip(Hebb + η·x yᵀ, ±1). With α and η starting at 1, a pair shown once already
  // moves the spiking units, so training tunes the binding instead of first having to find it.
  plasticity: { rule: 'hebb', update: 'clip', alphaInit: 1, etaInit: 1 },
  // LIF units need a drive above threshold from one or two active input channels.
  initScale: 5,
  readoutSteps: 2,
});

export async function cueAssociationPlasticDemo(_data: unknown, s: DemoSettings): Promise<Demo> {
  const { steps, chance } = task.info;
  return {
    title: 'plastic SNN cue association',
    describe: `every episode binds 2 new cues to the 2 classes; ${s.hidden} LIF neurons with plastic recurrent synapses W + α ⊙ Hebb (clipped Hebbian rule), ${steps} steps, ${surrogateLabel(s)}, batch ${s.batch}, Adam lr ${s.lr}; chance ${chance.value.toFixed(2)}; heat map of the learned plasticity coefficients α`,
    train: trainingGraph(cueAssociationNetwork(task.info, s.batch, network(s)), { loss: 'loss', optimizer: adam() }),
    probe: cueAssociationNetwork(task.info, HELD_OUT, { ...network(s), record: true }),
    scores: 'logits',
    layers: [{ label: `plastic recurrent LIF layer (${s.hidden})`, spikes: 'hidden', membrane: 'membrane', threshold: 1 }],
    weight: { param: 'rec/alpha', rows: 'presynaptic neuron', cols: 'postsynaptic neuron' },
    lr: s.lr,
    chance: chance.value,
    trainBatch: (step) => labelledBatch(task.batch(s.batch, 1 + step)),
    heldOut: labelledBatch(task.batch(HELD_OUT, 1_000_000)),
  };
}
