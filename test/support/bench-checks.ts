// What the bench's peer tests hold every W1 and W2 implementation to: spikeflow's CPU reference
// interpreter in float64 (an independent truth for the loss and gradients), on tiny fixtures that
// are exact in float32; and the agreement check run through an implementation's own process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { grad, gradName } from '@spikeflow/autodiff';
import { evaluate, tensor, toArray } from '@spikeflow/core';
import { scaledError } from '../../bench/src/harness/agreement.js';
import type { WorkerRequest, WorkerResult } from '../../bench/src/peers/protocol.js';
import { runWorker, type Launcher } from '../../bench/src/peers/spawn.js';
import { readLifMlpCheck, readPsnCheck, writeLifMlpFixture, writePsnFixture } from '../../bench/src/peers/workload-files.js';
import { LIF_MLP, LIF_MLP_PARAMS, lifMlpFixture, lifMlpModel, type LifMlpFixture } from '../../bench/src/workloads/lif-mlp.js';
import { psnFixture, type PsnFixture } from '../../bench/src/workloads/psn.js';
import { layerWrt, PSN_LAYER, spikingLayerModel } from '../../bench/src/workloads/spiking-layers.js';

/** Largest scaled error an implementation's loss and gradients may have against the reference. */
export const TOLERANCE = 1e-4;

// Tiny fixtures on the 1/64 grid, exact in float32, so every implementation computes the same spikes.
export const lifTiny = lifMlpFixture(3, 4, 1, 64);
export const psnTiny = psnFixture(4, 64, 2, 64);

/** A fresh temporary folder per call; every one is removed after each test. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

/** W1's loss and gradients by spikeflow's CPU reference interpreter (float64). */
export function referenceLifMlp(f: LifMlpFixture) {
  const graph = grad(lifMlpModel(f.T, f.B), { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2] });
  const inputs = { x: tensor([f.T, f.B, LIF_MLP.inputs], f.x), y: tensor([f.B], f.labels, 'i32') };
  const { outputs } = evaluate(graph, { inputs, params: { [LIF_MLP_PARAMS.w1]: f.w1, [LIF_MLP_PARAMS.w2]: f.w2 } }, { precision: 'f64' });
  return { loss: toArray(outputs.loss!)[0]!, w1: toArray(outputs[gradName(LIF_MLP_PARAMS.w1)]!), w2: toArray(outputs[gradName(LIF_MLP_PARAMS.w2)]!) };
}

/** W2's loss and gradients by the CPU reference interpreter (float64). */
export function referencePsn(f: PsnFixture) {
  const { scope } = PSN_LAYER;
  const { outputs } = evaluate(
    grad(spikingLayerModel(PSN_LAYER, f.T, f.N), { of: 'loss', wrt: layerWrt(PSN_LAYER) }),
    { params: { X: f.x, G: f.g, [`${scope}/w`]: f.w, [`${scope}/b`]: f.b } },
    { precision: 'f64' },
  );
  return { loss: toArray(outputs.loss!)[0]!, w: toArray(outputs[gradName(`${scope}/w`)]!), b: toArray(outputs[gradName(`${scope}/b`)]!), x: toArray(outputs[gradName('X')]!) };
}

type CheckRequest = Omit<WorkerRequest, 'workload' | 'fixture' | 'check'>;

/**
 * Runs W1 on `lifTiny` in the implementation's own process, its agreement check included, and
 * holds the check to the reference: the loss before and after one step, both gradients, and the
 * SGD update (lr × dW1). Resolves to the process's result for further checks.
 */
export async function expectLifMlpWorkerAgrees(dir: string, launcher: Launcher, request: CheckRequest): Promise<WorkerResult> {
  writeLifMlpFixture(join(dir, 'fixture'), lifTiny);
  const result = await runWorker(launcher, { ...request, workload: 'w1', fixture: join(dir, 'fixture'), check: { fixture: join(dir, 'fixture'), out: join(dir, 'out') } });
  const want = referenceLifMlp(lifTiny);
  expect(want.w1.some((g) => g !== 0)).toBe(true);
  expect(scaledError([result.check!.loss], [want.loss])).toBeLessThan(TOLERANCE);
  expect(scaledError([result.check!.step_loss], [want.loss])).toBeLessThan(TOLERANCE);
  const got = readLifMlpCheck(join(dir, 'out'));
  expect(scaledError(got.w1, want.w1)).toBeLessThan(TOLERANCE);
  expect(scaledError(got.w2, want.w2)).toBeLessThan(TOLERANCE);
  const update = lifTiny.w1.map((w, i) => w - got.w1After[i]!);
  expect(scaledError(update, want.w1.map((g) => g * LIF_MLP.lr))).toBeLessThan(1e-3);
  return result;
}

/** Runs W2 on `psnTiny` in the implementation's own process and holds its check (loss, dW, db, dX) to the reference. */
export async function expectPsnWorkerAgrees(dir: string, launcher: Launcher, request: CheckRequest): Promise<WorkerResult> {
  writePsnFixture(join(dir, 'fixture'), psnTiny);
  const result = await runWorker(launcher, { ...request, workload: 'w2', fixture: join(dir, 'fixture'), check: { fixture: join(dir, 'fixture'), out: join(dir, 'out') } });
  const want = referencePsn(psnTiny);
  const got = readPsnCheck(join(dir, 'out'));
  expect(scaledError([result.check!.loss], [want.loss])).toBeLessThan(TOLERANCE);
  expect(scaledError(got.w, want.w)).toBeLessThan(TOLERANCE);
  expect(scaledError(got.b, want.b)).toBeLessThan(TOLERANCE);
  expect(scaledError(got.x, want.x)).toBeLessThan(TOLERANCE);
  return result;
}
