import type { Demo } from './demo.js';
import { mnistLif } from './mnist-lif.js';
import { storeRecallLsnnDemo } from './store-recall-lsnn.js';

export type { Demo, DemoBatch } from './demo.js';

/** The page's model choices, by the value of its <select>. */
export const DEMOS: Readonly<Record<string, { readonly label: string; readonly load: () => Promise<Demo> }>> = {
  'mnist-lif': { label: 'LIF MLP on MNIST', load: mnistLif },
  'store-recall': { label: 'LSNN store-recall', load: storeRecallLsnnDemo },
};
