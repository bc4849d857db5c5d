export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Throws, listing the first few differing elements, unless |got - expected| <= atol + rtol * |expected| everywhere. */
export function assertClose(got: ArrayLike<number>, expected: ArrayLike<number>, tolerance: Tolerance, shown = 5): void {
  if (got.length !== expected.length) throw new Error(`length ${got.length}, expected ${expected.length}`);
  const bad: string[] = [];
  let count = 0;
  for (let i = 0; i < expected.length; i++) {
    const g = got[i]!;
    const e = expected[i]!;
    const ok = Number.isNaN(e) ? Number.isNaN(g) : Math.abs(g - e) <= tolerance.atol + tolerance.rtol * Math.abs(e);
    if (ok) continue;
    count++;
    if (bad.length < shown) bad.push(`[${i}] ${g} vs ${e}`);
  }
  if (count > 0) {
    throw new Error(`${count} of ${expected.length} elements differ (atol ${tolerance.atol}, rtol ${tolerance.rtol}): ${bad.join(', ')}`);
  }
}
