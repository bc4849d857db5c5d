/**
 * One step of mulberry32 (Tommy Ettinger, 2017): a 32-bit state advanced by a Weyl step and
 * scrambled by two multiply-xorshift rounds. The host-side generators (task episodes, the
 * trainer's shuffles) share this step; the graph's random ops use core's Philox streams.
 */
export function mulberry32(state: number): { readonly state: number; readonly value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = Math.imul(next ^ (next >>> 15), next | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}
