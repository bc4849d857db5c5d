import type { Shape } from '@spikeflow/core';

/**
 * Host-side scans for NaN and infinities. Each first adds every element times zero: one pass with
 * no branch per element, which stays 0 for finite data and becomes NaN at the first NaN or
 * infinity; only then is the culprit looked for.
 */

/** Whether every element is finite. */
export function allFinite(data: ArrayLike<number>): boolean {
  let probe = 0;
  for (let i = 0; i < data.length; i++) probe += data[i]! * 0;
  return probe === 0;
}

/** The index of the first NaN or infinite element, or -1 when every element is finite. */
export function firstNonFinite(data: ArrayLike<number>): number {
  if (allFinite(data)) return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/** How many elements are NaN or infinite. */
export function countNonFinite(data: ArrayLike<number>): number {
  if (allFinite(data)) return 0;
  let count = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) count++;
  return count;
}

/** A row-major flat index as coordinates, e.g. `[3, 5, 2]`. */
export function coordinatesOf(shape: Shape, index: number): string {
  const coords = new Array<number>(shape.length);
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    coords[axis] = rest % shape[axis]!;
    rest = Math.floor(rest / shape[axis]!);
  }
  return `[${coords.join(', ')}]`;
}
