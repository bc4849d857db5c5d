// The hyperparameters the page lets the user set before a run: each demo says which apply and
// their defaults; the page reads them from its form, and a bad value is refused in one line naming the field.
import { SURROGATE_NAMES, type SurrogateName } from '@spikeflow/core';

/** The spiking neuron of the LIF MLP demos: leaky, or integrate-and-fire without a leak. */
export const NEURON_KINDS = ['lif', 'if'] as const;
export type NeuronKind = (typeof NEURON_KINDS)[number];

export interface DemoSettings {
  readonly lr: number;
  readonly batch: number;
  /** Hidden neurons (per population where a demo has two). */
  readonly hidden: number;
  /** Time steps per sample, where the demo's data does not fix them. */
  readonly steps: number;
  readonly surrogate: SurrogateName;
  /** The surrogate's parameter (a, k or gamma). */
  readonly alpha: number;
  readonly neuron: NeuronKind;
}

export type SettingName = keyof DemoSettings;

/** How each field reads from its text and what it accepts; `label` is what an error names. */
interface FieldRule {
  readonly label: string;
  readonly parse: (text: string) => Parsed;
}

type Parsed = { readonly value: DemoSettings[SettingName] } | { readonly error: string };

/** A number in [min, max] (an integer when `integer`), or the reason it is not. */
function numberIn(min: number, max: number, integer: boolean, exclusiveMin = false) {
  return (text: string): Parsed => {
    const value = text.trim() === '' ? Number.NaN : Number(text);
    const kind = integer ? 'an integer' : 'a number';
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value))) return { error: `must be ${kind}, got "${text}"` };
    if (exclusiveMin ? value <= min : value < min) return { error: `must be ${exclusiveMin ? 'above' : 'at least'} ${min}, got ${value}` };
    if (value > max) return { error: `must be at most ${max}, got ${value}` };
    return { value };
  };
}

const oneOf = (names: readonly string[]) => (text: string): Parsed =>
  names.includes(text) ? { value: text as DemoSettings[SettingName] } : { error: `must be one of ${names.join(', ')}, got "${text}"` };

/** The bounds keep a run within what a browser tab trains in reasonable time and memory. */
export const SETTING_RULES: Readonly<Record<SettingName, FieldRule>> = {
  lr: { label: 'learning rate', parse: numberIn(0, 1, false, true) },
  batch: { label: 'batch', parse: numberIn(1, 256, true) },
  hidden: { label: 'hidden width', parse: numberIn(1, 512, true) },
  steps: { label: 'T', parse: numberIn(1, 100, true) },
  surrogate: { label: 'surrogate', parse: oneOf(SURROGATE_NAMES) },
  alpha: { label: 'surrogate α', parse: numberIn(0, 1000, false, true) },
  neuron: { label: 'neuron', parse: oneOf(NEURON_KINDS) },
};

export const SETTING_NAMES = Object.keys(SETTING_RULES) as SettingName[];

/**
 * The settings from the form's texts: the demo's defaults, with each field it `uses` read from
 * `texts`. Throws one line naming the first bad field; fields the demo does not use are ignored.
 */
export function parseSettings(defaults: DemoSettings, uses: readonly SettingName[], texts: ReadonlyMap<SettingName, string>): DemoSettings {
  const out: Record<string, unknown> = { ...defaults };
  for (const name of uses) {
    const text = texts.get(name);
    if (text === undefined) continue;
    const parsed = SETTING_RULES[name].parse(text);
    if ('error' in parsed) throw new Error(`${SETTING_RULES[name].label}: ${parsed.error}`);
    out[name] = parsed.value;
  }
  return out as unknown as DemoSettings;
}
