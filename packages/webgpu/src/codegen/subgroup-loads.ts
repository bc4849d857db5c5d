import { SUBGROUP_LANE, u } from './kernel-source.js';

/**
 * Loads shared across a subgroup. Where the threads of a subgroup all read the same values (the
 * rows of A of a register-blocked matmul, the spike words of a spike matmul's rows), each lane
 * loads one of them and the subgroup broadcasts it, instead of every lane loading all of them.
 *
 * Why: lavapipe, the software device the project measures on, turns every storage-buffer load
 * whose address is not a compile-time constant into a loop over the SIMD lanes, one scalar load
 * and bounds check per lane, while a broadcast from a constant lane is one register shuffle. A
 * GPU gains less (its loads of one address hit the cache) but loses nothing.
 *
 * Kernels use this only for one subgroup width, SHARED_LOAD_WIDTH, in workgroups of
 * SHARED_LOAD_WORKGROUP threads, and only when the compiler was told the device runs subgroups of
 * exactly that width made of consecutive invocations in such a workgroup (CompileLimits.subgroupSize,
 * verified at run time by runtime/subgroup-width.ts): a broadcast needs every lane it reads from
 * to exist and be active, and the register-blocked kernel needs the layout.
 */
export const SHARED_LOAD_WIDTH = 8;

/** The one workgroup size whose subgroup layout the probe checks (and the sharing kernels use). */
export const SHARED_LOAD_WORKGROUP = 64;

/** Whether a kernel of `workgroupSize` threads built for `subgroupSize` (undefined: no subgroups) shares its loads. */
export function sharesLoads(subgroupSize: number | undefined, workgroupSize: number): boolean {
  return subgroupSize === SHARED_LOAD_WIDTH && workgroupSize === SHARED_LOAD_WORKGROUP;
}

/** WGSL: value `index` of a set spread over the lanes, value i held by lane i % width in its register `registers(i / width)`. */
export function fromLane(registers: (group: number) => string, index: number): string {
  return `subgroupBroadcast(${registers(Math.floor(index / SHARED_LOAD_WIDTH))}, ${u(index % SHARED_LOAD_WIDTH)})`;
}

/** WGSL: this lane's share of a set of values, the lane index added to `first` (the set's first index) plus `group` widths. */
export function laneIndex(first: string, group = 0): string {
  return group === 0 ? `${first} + ${SUBGROUP_LANE}` : `${first} + ${SUBGROUP_LANE} + ${u(group * SHARED_LOAD_WIDTH)}`;
}
