// The page's checkpoint files: the models package's checkpoint format, with the demo and its
// settings kept in `meta` so an import rebuilds the same model before restoring its state.
import type { HostTensor } from '@spikeflow/core';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '@spikeflow/models';
import { SETTING_NAMES, type DemoSettings } from './demos/settings.js';

/** What the page keeps with a checkpoint: which model choice, and its settings. */
export interface PageCheckpointMeta {
  readonly demo: string;
  readonly settings: DemoSettings;
}

export function encodePageCheckpoint(meta: PageCheckpointMeta, step: number, seed: number, tensors: Readonly<Record<string, HostTensor>>): Uint8Array {
  return encodeCheckpoint({ progress: { epoch: 0, step, seed, rng: 0 }, tensors, meta });
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Decodes a checkpoint file and reads the page's meta; the settings come back as the texts the
 * form shows, for the page to validate as it validates the form. Throws one line naming the file.
 */
export function decodePageCheckpoint(bytes: Uint8Array, file: string): { checkpoint: Checkpoint; demo: string; texts: Map<keyof DemoSettings, string> } {
  let checkpoint: Checkpoint;
  try {
    checkpoint = decodeCheckpoint(bytes);
  } catch (error) {
    throw new Error(`${file}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
  }
  const { meta } = checkpoint;
  if (!isRecord(meta) || !Object.hasOwn(meta, 'demo') || typeof meta.demo !== 'string') throw new Error(`${file}: meta.demo: not a checkpoint of this page (no model choice recorded)`);
  if (!Object.hasOwn(meta, 'settings') || !isRecord(meta.settings)) throw new Error(`${file}: meta.settings: not a checkpoint of this page (no settings recorded)`);
  const settings = meta.settings;
  const texts = new Map<keyof DemoSettings, string>();
  for (const name of SETTING_NAMES) if (Object.hasOwn(settings, name)) texts.set(name, String(settings[name]));
  return { checkpoint, demo: meta.demo, texts };
}

/** Offers `bytes` as a download named `name`. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
