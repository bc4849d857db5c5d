import { encode } from 'fast-png';

/** Pixels per arena cell. */
const CELL = 48;
const GOAL: readonly [number, number, number] = [60, 170, 80];
/** The first search (exploration) in red, every later one (from memory) in blue. */
const FIRST: readonly [number, number, number] = [210, 50, 40];
const LATER: readonly [number, number, number] = [40, 90, 210];

/**
 * One navigation episode as a PNG: the size × size arena with grid lines, the goal cell filled green,
 * and the agent's path as lines between consecutive cell centres, red until the first find and blue
 * after it; the jump from the goal to the next placement is not drawn (a small square marks each start).
 */
export function arenaTrajectoryPng(size: number, goal: readonly [number, number], cells: readonly (readonly [number, number])[], rewards: readonly number[]): Uint8Array {
  const side = size * CELL + 1;
  const pixels = new Uint8Array(side * side * 3).fill(255);
  const set = (x: number, y: number, c: readonly [number, number, number]) => {
    if (x < 0 || y < 0 || x >= side || y >= side) return;
    pixels.set(c, (y * side + x) * 3);
  };
  for (let i = 0; i < side; i++) for (let k = 0; k <= size; k++) set(k * CELL, i, [200, 200, 200]), set(i, k * CELL, [200, 200, 200]);
  for (let y = 1; y < CELL; y++) for (let x = 1; x < CELL; x++) set(goal[1] * CELL + x, goal[0] * CELL + y, GOAL);
  const centre = (c: readonly [number, number]) => [c[1] * CELL + CELL / 2, c[0] * CELL + CELL / 2] as const;
  const square = (c: readonly [number, number], colour: readonly [number, number, number]) => {
    const [cx, cy] = centre(c);
    for (let d = -4; d <= 4; d++) for (let e = -4; e <= 4; e++) set(cx + d, cy + e, colour);
  };
  let found = false;
  square(cells[0]!, FIRST);
  for (let t = 0; t < rewards.length; t++) {
    const colour = found ? LATER : FIRST;
    // On a find the agent entered the goal: draw to the goal, then mark the new placement.
    const to = rewards[t]! > 0 ? goal : cells[t + 1]!;
    const [x0, y0] = centre(cells[t]!);
    const [x1, y1] = centre(to);
    // Each step's segment is shifted by a little, growing with t, so revisited edges stay apart.
    const off = ((t % 9) - 4) * 2;
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let s = 0; s <= n; s++) for (let w = -1; w <= 1; w++) set(Math.round(x0 + ((x1 - x0) * s) / n) + off + w, Math.round(y0 + ((y1 - y0) * s) / n) + off + w, colour);
    if (rewards[t]! > 0) {
      found = true;
      square(cells[t + 1]!, LATER);
    }
  }
  return encode({ width: side, height: side, data: pixels, channels: 3, depth: 8 });
}
