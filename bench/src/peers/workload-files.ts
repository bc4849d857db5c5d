import { LIF_MLP, type LifMlpFixture, type LifMlpGradients } from '../workloads/lif-mlp.js';
import type { PsnFixture, PsnGradients } from '../workloads/psn.js';
import { arrayOf, readArrays, writeArrays } from './fixture-files.js';

/** W1 and W2 fixtures and check results as array folders (fixture-files.ts), names shared with bench/torch/peer.py. */

export function writeLifMlpFixture(dir: string, f: LifMlpFixture): void {
  const { inputs, hidden, classes } = LIF_MLP;
  writeArrays(dir, { x: f.x, labels: f.labels, w1: f.w1, w2: f.w2 }, { x: [f.T, f.B, inputs], labels: [f.B], w1: [inputs, hidden], w2: [hidden, classes] });
}

export function readLifMlpFixture(dir: string): LifMlpFixture {
  const arrays = readArrays(dir);
  const x = arrayOf(arrays, 'x', 'float32', dir);
  const [T, B, inputs] = arrays.get('x')!.entry.shape as [number, number, number];
  if (inputs !== LIF_MLP.inputs) throw new Error(`${dir}: x must be [T, B, ${LIF_MLP.inputs}]`);
  return { T, B, x, labels: arrayOf(arrays, 'labels', 'int32', dir), w1: arrayOf(arrays, 'w1', 'float32', dir), w2: arrayOf(arrays, 'w2', 'float32', dir) };
}

export function writePsnFixture(dir: string, f: PsnFixture): void {
  writeArrays(dir, { x: f.x, w: f.w, b: f.b, g: f.g }, { x: [f.T, f.N], w: [f.T, f.T], b: [f.T], g: [f.T, f.N] });
}

export function readPsnFixture(dir: string): PsnFixture {
  const arrays = readArrays(dir);
  const x = arrayOf(arrays, 'x', 'float32', dir);
  const [T, N] = arrays.get('x')!.entry.shape as [number, number];
  return { T, N, x, w: arrayOf(arrays, 'w', 'float32', dir), b: arrayOf(arrays, 'b', 'float32', dir), g: arrayOf(arrays, 'g', 'float32', dir) };
}

/** W1's check: the gradients at the fixture's weights and the weights after one training step. */
export interface LifMlpCheckArrays extends Omit<LifMlpGradients, 'loss'> {
  readonly w1After: Float32Array;
  readonly w2After: Float32Array;
}

export function writeLifMlpCheck(dir: string, c: LifMlpCheckArrays): void {
  writeArrays(dir, { dw1: c.w1, dw2: c.w2, w1_after: c.w1After, w2_after: c.w2After }, {});
}

export function readLifMlpCheck(dir: string): LifMlpCheckArrays {
  const arrays = readArrays(dir);
  const f = (name: string) => arrayOf(arrays, name, 'float32', dir);
  return { w1: f('dw1'), w2: f('dw2'), w1After: f('w1_after'), w2After: f('w2_after') };
}

export function writePsnCheck(dir: string, g: Omit<PsnGradients, 'loss'>): void {
  writeArrays(dir, { dw: g.w, db: g.b, dx: g.x }, {});
}

export function readPsnCheck(dir: string): Omit<PsnGradients, 'loss'> {
  const arrays = readArrays(dir);
  const f = (name: string) => arrayOf(arrays, name, 'float32', dir);
  return { w: f('dw'), b: f('db'), x: f('dx') };
}
