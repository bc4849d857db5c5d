import type { Experiment } from '../experiment.js';
import { storeRecallExperiment } from './store-recall.js';
import { smnistExperiment } from './smnist.js';
import { cueAssociationExperiment } from './cue-association.js';
import { deepRExperiment } from './deep-r.js';
import { annConversionExperiment } from './ann-conversion.js';
import { convMnistExperiment } from './conv-mnist.js';
import { erbpMnistExperiment } from './erbp-mnist.js';
import { binaryAdditiveExperiment } from './binary-additive.js';
import { epropExactnessExperiment } from './eprop-exactness.js';
import { epropEvidenceExperiment } from './eprop-evidence.js';
import { epropStoreRecallExperiment } from './eprop-store-recall.js';
import { exactGradientsExperiment } from './exact-gradients.js';
import { stdpMnistExperiment } from './stdp-mnist.js';
import { spikingInceptionExperiment } from './spiking-inception.js';
import { federatedMnistExperiment } from './federated-mnist.js';
import { lsmCartPoleExperiment } from './lsm-cartpole.js';
import { mazeNeuromodulationExperiment } from './maze-neuromodulation.js';
import { l2lRegressionExperiment } from './l2l-regression.js';
import { l2lNavigationExperiment } from './l2l-navigation.js';

/** Every experiment, in the order `pnpm reproduce` runs them and RESULTS.md lists them. */
export const EXPERIMENTS: readonly Experiment[] = [
  storeRecallExperiment, smnistExperiment, cueAssociationExperiment, deepRExperiment, annConversionExperiment, convMnistExperiment,
  epropExactnessExperiment, epropEvidenceExperiment, epropStoreRecallExperiment, erbpMnistExperiment, binaryAdditiveExperiment,
  exactGradientsExperiment, stdpMnistExperiment, spikingInceptionExperiment, federatedMnistExperiment, lsmCartPoleExperiment, mazeNeuromodulationExperiment,
  l2lRegressionExperiment, l2lNavigationExperiment,
];
