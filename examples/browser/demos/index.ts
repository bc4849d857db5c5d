import type { Demo, DemoData } from './demo.js';
import { CUE_DEFAULTS, CUE_SETTINGS, cueAssociationPlasticDemo } from './cue-association-plastic.js';
import { LIF_MLP_DEFAULTS, LIF_MLP_SETTINGS, mnistLif } from './mnist-lif.js';
import { PSN_DEFAULTS, PSN_SETTINGS, psnSequentialMnist } from './psn-smnist.js';
import type { DemoSettings, SettingName } from './settings.js';
import { STORE_RECALL_DEFAULTS, STORE_RECALL_SETTINGS, storeRecallLsnnDemo } from './store-recall-lsnn.js';

export type { Demo, DemoBatch, DemoData, DemoLayer } from './demo.js';

export interface DemoChoice {
  readonly label: string;
  /** Settings that learn; `uses` names those the page lets the user change. */
  readonly defaults: DemoSettings;
  readonly uses: readonly SettingName[];
  readonly load: (data: DemoData, settings: DemoSettings) => Promise<Demo>;
}

/** The page's model choices, by the value of its <select>. */
export const DEMOS: ReadonlyMap<string, DemoChoice> = new Map([
  ['store-recall', { label: 'LSNN store-recall', defaults: STORE_RECALL_DEFAULTS, uses: STORE_RECALL_SETTINGS, load: storeRecallLsnnDemo }],
  ['psn-smnist', { label: 'PSN sequential MNIST', defaults: PSN_DEFAULTS, uses: PSN_SETTINGS, load: psnSequentialMnist }],
  ['cue-association', { label: 'plastic SNN cue association', defaults: CUE_DEFAULTS, uses: CUE_SETTINGS, load: cueAssociationPlasticDemo }],
  ['mnist-lif', { label: 'LIF MLP on MNIST', defaults: LIF_MLP_DEFAULTS, uses: LIF_MLP_SETTINGS, load: mnistLif }],
]);
