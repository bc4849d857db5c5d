/** Central differences: d f / d v[k] ≈ (f(v + h e_k) − f(v − h e_k)) / 2h, for each k. */
export function finiteDiff(f: (v: number[]) => number, v: number[], h = 1e-5): number[] {
  return v.map((_, k) => {
    const plus = [...v];
    const minus = [...v];
    plus[k]! += h;
    minus[k]! -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}
