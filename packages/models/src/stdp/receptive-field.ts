import { fail } from '@spikeflow/core';
import type { SpikeEvents } from './spike-events.js';

/**
 * Square receptive fields laid over a square input map: `kernel`×`kernel` windows every `stride`
 * pixels, `across` of them per row and per column, so `across²` positions, row by row. The input map
 * is [side, side, channels] flat in (y, x, c) order; a patch's own inputs are in the same order,
 * (dy, dx, c), so input (y, x, c) of the map is input ((y − y0)·kernel + (x − x0))·channels + c
 * of the patch whose corner is (y0, x0) = (row·stride, column·stride).
 */
export interface PatchGrid {
  readonly side: number;
  readonly channels: number;
  readonly kernel: number;
  readonly stride: number;
  /** Positions per row (and per column): ⌊(side − kernel)/stride⌋ + 1. */
  readonly across: number;
  /** Inputs of one patch: kernel²·channels. */
  readonly patchInputs: number;
}

export function patchGrid(side: number, kernel: number, stride: number, channels = 1): PatchGrid {
  for (const [name, value] of [['side', side], ['kernel', kernel], ['stride', stride], ['channels', channels]] as const) {
    if (!Number.isInteger(value) || value < 1) fail('attr', 'patchGrid', `${name} must be a positive integer`, undefined, String(value));
  }
  if (kernel > side) fail('attr', 'patchGrid', 'the kernel must fit the map', `≤ ${side}`, String(kernel));
  return { side, channels, kernel, stride, across: Math.floor((side - kernel) / stride) + 1, patchInputs: kernel * kernel * channels };
}

/** The map inputs of the patch at `position` (row-major over the grid), in the patch's own input order. */
export function patchIndices(grid: PatchGrid, position: number): Int32Array {
  const { side, channels, kernel, stride, across } = grid;
  if (!Number.isInteger(position) || position < 0 || position >= across * across) fail('attr', 'patchIndices', 'position out of range', `0..${across * across - 1}`, String(position));
  const y0 = Math.floor(position / across) * stride;
  const x0 = (position % across) * stride;
  const out = new Int32Array(grid.patchInputs);
  let k = 0;
  for (let dy = 0; dy < kernel; dy++) {
    for (let dx = 0; dx < kernel; dx++) for (let c = 0; c < channels; c++) out[k++] = ((y0 + dy) * side + x0 + dx) * channels + c;
  }
  return out;
}

/**
 * Splits a map's spike events into the events each patch sees (its local input indices, in
 * increasing order within a step, as `SpikeEvents` requires). Built once per grid: for every map
 * input, the patches that hold it and its index there.
 */
export class PatchRouter {
  /** For map input i: entries routeOffsets[i] .. routeOffsets[i + 1] of routePositions / routeLocal. */
  private readonly routeOffsets: Int32Array;
  private readonly routePositions: Int32Array;
  private readonly routeLocal: Int32Array;

  constructor(readonly grid: PatchGrid) {
    const inputs = grid.side * grid.side * grid.channels;
    const positions = grid.across * grid.across;
    const lists: { position: number; local: number }[][] = Array.from({ length: inputs }, () => []);
    for (let p = 0; p < positions; p++) patchIndices(grid, p).forEach((input, local) => lists[input]!.push({ position: p, local }));
    this.routeOffsets = new Int32Array(inputs + 1);
    lists.forEach((list, i) => (this.routeOffsets[i + 1] = this.routeOffsets[i]! + list.length));
    this.routePositions = Int32Array.from(lists.flat(), (e) => e.position);
    this.routeLocal = Int32Array.from(lists.flat(), (e) => e.local);
  }

  /** One `SpikeEvents` per patch position, over `grid.patchInputs` inputs and the same steps. */
  split(events: SpikeEvents): SpikeEvents[] {
    const { grid } = this;
    const inputs = grid.side * grid.side * grid.channels;
    if (events.inputs !== inputs) fail('shape', 'PatchRouter.split', 'events over the whole map', `${inputs}`, `${events.inputs}`);
    const positions = grid.across * grid.across;
    const found: number[][] = Array.from({ length: positions }, () => []);
    const offsets = Array.from({ length: positions }, () => new Int32Array(events.steps + 1));
    for (let t = 0; t < events.steps; t++) {
      for (let k = events.offsets[t]!; k < events.offsets[t + 1]!; k++) {
        const input = events.indices[k]!;
        for (let r = this.routeOffsets[input]!; r < this.routeOffsets[input + 1]!; r++) found[this.routePositions[r]!]!.push(this.routeLocal[r]!);
      }
      // The map's order (y, x, c) and a patch's (dy, dx, c) agree, so each step's locals come out increasing.
      for (let p = 0; p < positions; p++) offsets[p]![t + 1] = found[p]!.length;
    }
    return found.map((indices, p) => ({ steps: events.steps, inputs: grid.patchInputs, offsets: offsets[p]!, indices: Int32Array.from(indices) }));
  }
}
