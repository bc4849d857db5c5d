// The page's hyperparameter fields: filled with a demo's defaults when it is chosen, those the demo
// does not use disabled, and read back (validated) when a run starts.
import { SURROGATE_NAMES } from '@spikeflow/core';
import { NEURON_KINDS, parseSettings, SETTING_NAMES, type DemoSettings, type SettingName } from './demos/settings.js';

/** The form element of each setting: `set-<name>`, an <input> or a <select>. */
const fieldOf = (name: SettingName): HTMLInputElement | HTMLSelectElement => document.getElementById(`set-${name}`) as HTMLInputElement | HTMLSelectElement;

/** Fills the two choice fields once; the number fields are plain inputs. */
export function initSettingsForm(): void {
  const surrogate = fieldOf('surrogate') as HTMLSelectElement;
  for (const name of SURROGATE_NAMES) surrogate.add(new Option(name, name));
  const neuron = fieldOf('neuron') as HTMLSelectElement;
  for (const name of NEURON_KINDS) neuron.add(new Option(name.toUpperCase(), name));
}

/** Shows `settings`, enabling only the fields in `uses`. */
export function showSettings(settings: DemoSettings, uses: readonly SettingName[]): void {
  for (const name of SETTING_NAMES) {
    const field = fieldOf(name);
    field.value = String(settings[name]);
    field.disabled = !uses.includes(name);
  }
}

/** Whether the form is locked (during a run) or editable; fields the demo does not use stay disabled. */
export function lockSettings(locked: boolean, uses: readonly SettingName[]): void {
  for (const name of SETTING_NAMES) fieldOf(name).disabled = locked || !uses.includes(name);
}

/** The settings in the form; throws one line naming the first bad field. */
export function readSettings(defaults: DemoSettings, uses: readonly SettingName[]): DemoSettings {
  return parseSettings(defaults, uses, new Map(SETTING_NAMES.map((name) => [name, fieldOf(name).value])));
}

/** Calls `onChange` whenever a setting is edited. */
export function watchSettings(onChange: () => void): void {
  for (const name of SETTING_NAMES) fieldOf(name).addEventListener('change', onChange);
}
