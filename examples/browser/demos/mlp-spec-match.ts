// Which LIF MLP a sequential spec describes: the page trains one model family from a spec, its own
// inputs -> hidden -> classes LIF (or IF) network, so a spec JSON or a NIR file is read as that family's
// settings, and any field the family cannot take is refused in one line naming it.
import type { SequentialSpec } from '@spikeflow/models';
import { lifMlpSpec, type MlpShape, type MlpSpec } from './mnist-lif.js';
import { parseSettings, type DemoSettings, type SettingName } from './settings.js';

/** What a spec fixes of the page's LIF MLP: its sizes, and the settings that shape the network. */
export interface MlpOfSpec {
  readonly shape: Pick<MlpShape, 'inputs' | 'classes'>;
  readonly settings: Pick<DemoSettings, 'hidden' | 'neuron' | 'surrogate' | 'alpha'>;
}

/** The layer kinds of the page's MLP. */
const FAMILY = 'linear → lif (or if) → linear → the same neuron';
const SPEC_SETTINGS: readonly SettingName[] = ['hidden', 'neuron', 'surrogate', 'alpha'];

const shown = (v: unknown): string => (v === undefined ? 'nothing' : JSON.stringify(v));

/**
 * Reads a (validated) sequential spec as the page's LIF MLP. Throws one line naming the file and the
 * first field that differs from the MLP the settings it states would build, e.g.
 * `model.json: layers[1].tau: the page's LIF MLP has 2, the file has 5`.
 */
export function mlpOfSpec(spec: SequentialSpec, file: string): MlpOfSpec {
  const layers = spec.layers as readonly (Readonly<Record<string, unknown>> & { kind: string })[];
  const kinds = layers.map((l) => l.kind);
  const neuron = layers[1];
  if (layers.length !== 4 || kinds[0] !== 'linear' || kinds[2] !== 'linear' || (kinds[1] !== 'lif' && kinds[1] !== 'if') || kinds[3] !== kinds[1]) {
    throw new Error(`${file}: layers: the page trains a LIF MLP (${FAMILY}), the file has ${kinds.join(' → ')}`);
  }
  if (neuron!.alpha === undefined) throw new Error(`${file}: layers[1].alpha: the page needs the surrogate's parameter stated`);
  const texts = new Map<SettingName, string>([
    ['hidden', String(layers[0]!.out)],
    ['neuron', String(neuron!.kind)],
    ['surrogate', String(neuron!.surrogate)],
    ['alpha', String(neuron!.alpha)],
  ]);
  let settings: MlpOfSpec['settings'];
  try {
    settings = parseSettings({} as DemoSettings, SPEC_SETTINGS, texts);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  const shape = { inputs: layers[0]!.in as number, classes: layers[2]!.out as number };
  matchSpec(lifMlpSpec(shape, settings), layers, file);
  return { shape, settings: { hidden: settings.hidden, neuron: settings.neuron, surrogate: settings.surrogate, alpha: settings.alpha } };
}

/** Throws on the first field where `got` differs from the page's `expected` MLP. */
function matchSpec(expected: MlpSpec, got: readonly Readonly<Record<string, unknown>>[], file: string): void {
  expected.layers.forEach((want, index) => {
    const have = got[index]!;
    const wanted = want as unknown as Readonly<Record<string, unknown>>;
    for (const field of new Set([...Object.keys(wanted), ...Object.keys(have)])) {
      const [w, h] = [Object.hasOwn(wanted, field) ? wanted[field] : undefined, Object.hasOwn(have, field) ? have[field] : undefined];
      if (JSON.stringify(w) !== JSON.stringify(h)) throw new Error(`${file}: layers[${index}].${field}: the page's LIF MLP has ${shown(w)}, the file has ${shown(h)}`);
    }
  });
}
