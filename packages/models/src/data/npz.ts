import { fail, SpikeflowError } from '@spikeflow/core';
import { unzipSync } from 'fflate';
import { parseNpy, type NpyArray } from './npy.js';

/** Most members of one .npz; a data file needs a handful. */
const MAX_MEMBERS = 1024;
/** Most bytes one member may inflate to: a largest tensor of 8-byte elements, plus its header. */
const MAX_MEMBER_BYTES = 2 ** 31;

/**
 * Parses an .npz (NumPy's `savez` / `savez_compressed`: a zip of .npy members, stored or
 * deflated) into its arrays by key (`x.npy` → `x`), in a Map so no member name reaches a
 * prototype. Every member must be a .npy; `name` names the file in errors.
 */
export function parseNpz(bytes: Uint8Array, name: string): Map<string, NpyArray> {
  const seen = new Set<string>();
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      // Runs before each member is inflated, so a refused member is never decompressed or stored.
      filter: (info) => {
        const where = `${name}: ${info.name}`;
        if (seen.size >= MAX_MEMBERS) fail('limit', name, `more than ${MAX_MEMBERS} members`, `<= ${MAX_MEMBERS} members`);
        if (!info.name.endsWith('.npy') || info.name.length === 4) fail('feed', where, 'an .npz member must be a .npy file', 'name.npy', info.name);
        if (seen.has(info.name)) fail('feed', where, 'the member appears twice');
        if (info.compression !== 0 && info.compression !== 8) fail('feed', where, `compression method ${info.compression} is not supported`, 'stored (0) or deflated (8)', String(info.compression));
        if (info.originalSize > MAX_MEMBER_BYTES) fail('limit', where, `the member inflates to ${info.originalSize} bytes`, `<= ${MAX_MEMBER_BYTES} bytes`, String(info.originalSize));
        seen.add(info.name);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof SpikeflowError) throw error;
    fail('feed', `${name}: zip`, `not a readable zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  const out = new Map<string, NpyArray>();
  for (const member of seen) out.set(member.slice(0, -4), parseNpy(members[member]!, `${name}: ${member}`));
  return out;
}
