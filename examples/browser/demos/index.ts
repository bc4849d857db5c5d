import type { Demo, DemoData } from './demo.js';
import { cueAssociationPlasticDemo } from './cue-association-plastic.js';
import { mnistLif } from './mnist-lif.js';
import { psnSequentialMnist } from './psn-smnist.js';
import { storeRecallLsnnDemo } from './store-recall-lsnn.js';

export type { Demo, DemoBatch, DemoData, DemoLayer } from './demo.js';
export { probeOutputNames } from './demo.js';

/** The page's model choices, by the value of its <select>. */
export const DEMOS: Readonly<Record<string, { readonly label: string; readonly load: (data: DemoData) => Promise<Demo> }>> = {
  'store-recall': { label: 'LSNN store-recall', load: storeRecallLsnnDemo },
  'psn-smnist': { label: 'PSN sequential MNIST', load: psnSequentialMnist },
  'cue-association': { label: 'plastic SNN cue association', load: cueAssociationPlasticDemo },
  'mnist-lif': { label: 'LIF MLP on MNIST', load: mnistLif },
};
