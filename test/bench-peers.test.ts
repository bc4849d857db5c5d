// The benchmark harness's peer machinery, without timing: the interleaved rounds and how they
// merge, the worker protocol, the array files, and the peers' W1 and W2 on tiny exact fixtures
// against spikeflow's CPU reference interpreter (an independent truth for their gradients).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaledError } from '../bench/src/harness/agreement.js';
import { row } from '../bench/src/harness/row.js';
import { met, targetChecks } from '../bench/src/report/targets.js';
import { COPY_WORKLOAD, MATMUL_WORKLOAD } from '../bench/src/suites/device-limits.js';
import { COLD_START_WORKLOAD } from '../bench/src/suites/cold-start.js';
import { LIF_MLP_WORKLOAD } from '../bench/src/suites/lif-mlp.js';
import { PSN_WORKLOAD } from '../bench/src/suites/psn.js';
import { interleavedRounds, mergeRounds, PeerUnavailable } from '../bench/src/peers/interleave.js';
import { planImpls } from '../bench/src/peers/peer-set.js';
import { parseWorkerResult, RESULT_MARKER } from '../bench/src/peers/protocol.js';
import { readArrays, writeArrays } from '../bench/src/peers/fixture-files.js';
import { findJaxJs, findTorchPython, pythonLauncher, runWorker } from '../bench/src/peers/spawn.js';
import { writePsnFixture } from '../bench/src/peers/workload-files.js';
import { jaxLifMlp } from '../bench/src/jaxjs/lif-mlp.js';
import { jaxPsn } from '../bench/src/jaxjs/psn.js';
import { startJax } from '../bench/src/jaxjs/load.js';
import { LIF_MLP, lifMlpHostForward } from '../bench/src/workloads/lif-mlp.js';
import { psnIsExact } from '../bench/src/workloads/psn.js';
import { expectLifMlpWorkerAgrees, expectPsnWorkerAgrees, lifTiny, psnTiny, referenceLifMlp, referencePsn, tempDirs, TOLERANCE } from './support/bench-checks.js';

const tempDir = tempDirs('spikeflow-bench-peers-');

describe('interleaved rounds', () => {
  it('runs every implementation once per round, in the same order each round', async () => {
    const calls: string[] = [];
    const { results, dropped } = await interleavedRounds(['A', 'B', 'C'], 2, async (impl, round) => {
      calls.push(`${impl}${round}`);
      return `${impl}:${round}`;
    });
    expect(calls).toEqual(['A0', 'B0', 'C0', 'A1', 'B1', 'C1']);
    expect(results.get('B')).toEqual(['B:0', 'B:1']);
    expect(dropped.size).toBe(0);
  });

  it('drops an unavailable peer from the later rounds, with its reason, and keeps the others', async () => {
    const calls: string[] = [];
    const { results, dropped } = await interleavedRounds(['A', 'B', 'C'], 3, async (impl, round) => {
      calls.push(`${impl}${round}`);
      if (impl === 'B' && round === 1) throw new PeerUnavailable('crashed');
      return round;
    });
    expect(calls).toEqual(['A0', 'B0', 'C0', 'A1', 'B1', 'C1', 'A2', 'C2']);
    expect([...results.keys()]).toEqual(['A', 'C']);
    expect(dropped.get('B')).toBe('crashed');
  });

  it('stops at any other error (a disagreement must abort the benchmark)', async () => {
    await expect(interleavedRounds(['A', 'B'], 2, async (impl) => {
      if (impl === 'B') throw new Error('disagrees');
      return 0;
    })).rejects.toThrow('disagrees');
  });

  it('merges the processes: median of all samples, first call of the first process, median load', () => {
    const merged = mergeRounds([
      { first_ms: 900, samples: [10, 30], load_1min: 2 },
      { first_ms: 50, samples: [20, 40, 100], load_1min: 6 },
      { first_ms: 60, samples: [25], load_1min: 3 },
    ]);
    // Samples 10, 20, 25, 30, 40, 100: median (25 + 30) / 2.
    expect(merged).toMatchObject({ ms_median: 27.5, ms_min: 10, ms_max: 100, reps: 6, first_run_ms: 900, load_1min: 3, processes: 3 });
  });
});

describe('W1 targets', () => {
  it('compare both of spikeflow\'s ways of taking x with the fastest peer, naming it', () => {
    const timed = (impl: string, ms: number) => row(LIF_MLP_WORKLOAD, impl, 'cpu', { T: 8, B: 64 }, { ms_median: ms, ms_min: ms, ms_max: ms, reps: 3, first_run_ms: ms });
    const rows = [timed('spikeflow', 10), timed('spikeflow-dense-x', 20), timed('tfjs-wasm', 40), timed('torch', 50), timed('jax-js-webgpu', 45)];
    const w1 = targetChecks(rows).filter((t) => t.target.startsWith('W1 step'));
    expect(w1).toEqual([
      { issue: 7, target: 'W1 step: spikeflow (x as spikes) vs the fastest peer', case: 'T = 8, B = 64 (tfjs-wasm)', measured: 4, goal: 5, higherIsBetter: true },
      { issue: 7, target: 'W1 step: spikeflow (x dense) vs the fastest peer', case: 'T = 8, B = 64 (tfjs-wasm)', measured: 2, goal: 5, higherIsBetter: true },
      // Issue 22: dense x against PyTorch alone.
      { issue: 22, target: 'W1 step: spikeflow (x dense) vs PyTorch CPU', case: 'T = 8, B = 64 (torch)', measured: 2.5, goal: 1, higherIsBetter: true },
    ]);
  });
});

describe('issue 22 targets', () => {
  it('check the kernels against the device limits, W2 against tfjs-webgpu (2.5x) and PyTorch, and the cold start against tfjs-webgpu', () => {
    const timed = (workload: string, impl: string, sizes: Parameters<typeof row>[3], ms: number, extra: Record<string, number> = {}) => row(workload, impl, 'gpu', sizes, { ms_median: ms, ms_min: ms, ms_max: ms, reps: 3, first_run_ms: ms }, extra);
    const w2 = { T: 8, N: 65536 };
    const rows = [
      timed(MATMUL_WORKLOAD, 'spikeflow', { N: 1024 }, 200, { gflops: 12 }),
      timed(COPY_WORKLOAD, 'spikeflow', { N: 16 }, 300, { gbps: 2.7 }),
      timed(PSN_WORKLOAD, 'spikeflow', w2, 20),
      timed(PSN_WORKLOAD, 'tfjs-webgpu', w2, 100),
      timed(PSN_WORKLOAD, 'torch', w2, 16),
      timed(COLD_START_WORKLOAD, 'spikeflow', { T: 32, B: 64 }, 12_000),
      timed(COLD_START_WORKLOAD, 'tfjs-webgpu', { T: 32, B: 64 }, 10_000),
    ];
    const checks = targetChecks(rows).filter((t) => t.issue === 22);
    expect(checks.map((t) => [t.target, t.case, Number(t.measured.toFixed(6)), t.goal, t.higherIsBetter])).toEqual([
      ['matmul: spikeflow GFLOP/s / 10', 'N = 1024', 1.2, 1, true],
      ['elementwise y = 2x: spikeflow GB/s / 3', 'N = 16', 0.9, 1, true],
      ['W2 fwd+bwd: spikeflow vs tfjs-webgpu', 'T = 8, N = 65536 (tfjs-webgpu)', 5, 2.5, true],
      ['W2 fwd+bwd: spikeflow vs PyTorch CPU', 'T = 8, N = 65536 (torch)', 0.8, 1, true],
      ['W1 cold start: spikeflow / tfjs-webgpu (seconds, medians)', 'T = 32, B = 64', 1.2, 1, false],
    ]);
    expect(checks.map(met)).toEqual([true, false, true, false, false]);
  });
});

describe('worker protocol', () => {
  const answer = { impl: 'torch', device: 'CPU', check: null, first_ms: 5, samples: [1.5, 2], load_1min: 0.5, kernels: null };

  it('finds the answer line among other output', () => {
    const stdout = `a warning\n${RESULT_MARKER}${JSON.stringify({ ...answer, samples: [9] })}\nnoise\n${RESULT_MARKER}${JSON.stringify(answer)}\n`;
    expect(parseWorkerResult(stdout, 'torch')).toEqual(answer);
  });

  it('rejects a missing line, another impl, bad samples and a bad check, naming the field', () => {
    expect(() => parseWorkerResult('nothing here\n', 'torch')).toThrow('torch: its process printed no BENCH_RESULT line');
    expect(() => parseWorkerResult(`${RESULT_MARKER}${JSON.stringify(answer)}`, 'jax-js-wasm')).toThrow('result field impl must be "jax-js-wasm"');
    expect(() => parseWorkerResult(`${RESULT_MARKER}${JSON.stringify({ ...answer, samples: [] })}`, 'torch')).toThrow('result field samples');
    expect(() => parseWorkerResult(`${RESULT_MARKER}${JSON.stringify({ ...answer, samples: [1, null] })}`, 'torch')).toThrow('result field samples');
    expect(() => parseWorkerResult(`${RESULT_MARKER}${JSON.stringify({ ...answer, check: { loss: 1, step_loss: 'x', first_call_ms: 1 } })}`, 'torch')).toThrow('result field check.step_loss');
    expect(() => parseWorkerResult(`${RESULT_MARKER}{"impl": "torch"`, 'torch')).toThrow('is not JSON');
  });
});

describe('array files', () => {
  it('round-trips float32 and int32 arrays with their shapes', () => {
    const dir = tempDir();
    writeArrays(dir, { a: new Float32Array([1.5, -2, 3, 0.25, 5, 6]), n: new Int32Array([7, -8]) }, { a: [2, 3] });
    const read = readArrays(dir);
    expect(read.get('a')!.entry).toEqual({ dtype: 'float32', shape: [2, 3] });
    expect([...read.get('a')!.data]).toEqual([1.5, -2, 3, 0.25, 5, 6]);
    expect(read.get('n')!.entry).toEqual({ dtype: 'int32', shape: [2] });
    expect([...read.get('n')!.data]).toEqual([7, -8]);
  });

  it('rejects a file whose size does not match its shape, naming it', () => {
    const dir = tempDir();
    writeArrays(dir, { a: new Float32Array(6) }, { a: [2, 3] });
    writeFileSync(join(dir, 'a.bin'), new Uint8Array(20));
    expect(() => readArrays(dir)).toThrow(/a\.bin: 20 bytes, expected 24 for shape \[2, 3\]/);
  });
});

describe('the tiny check fixtures', () => {
  it('are exact in float32 and make the hidden layer spike', () => {
    const host = lifMlpHostForward(lifTiny);
    expect(host.exact).toBe(true);
    expect(host.rate1).toBeGreaterThan(0.02);
    expect(psnIsExact(psnTiny)).toBe(true);
  });
});

describe('jax-js peer (wasm)', () => {
  it('computes W1 loss and gradients as the CPU reference does, and its step applies lr x the gradients', async () => {
    const device = await startJax('wasm', async () => 'unused');
    expect(device).toMatch(/^CPU via wasm/);
    const runner = await jaxLifMlp('jax-js-wasm', device).create(lifTiny);
    const grads = await runner.gradients();
    const want = referenceLifMlp(lifTiny);
    expect(scaledError([grads.loss], [want.loss])).toBeLessThan(TOLERANCE);
    expect(scaledError(grads.w1, want.w1)).toBeLessThan(TOLERANCE);
    expect(scaledError(grads.w2, want.w2)).toBeLessThan(TOLERANCE);
    expect(want.w1.some((g) => g !== 0)).toBe(true);
    const stepLoss = await runner.step();
    expect(scaledError([stepLoss], [want.loss])).toBeLessThan(TOLERANCE);
    const after = await runner.weights();
    const update = lifTiny.w2.map((w, i) => w - after.w2[i]!);
    expect(scaledError(update, want.w2.map((g) => g * LIF_MLP.lr))).toBeLessThan(1e-3);
    runner.dispose();
  });

  it('computes W2 loss, dW, db and dX as the CPU reference does', async () => {
    const runner = await jaxPsn('jax-js-wasm', await startJax('wasm', async () => 'unused')).create(psnTiny);
    const grads = await runner.gradients();
    const want = referencePsn(psnTiny);
    expect(scaledError([grads.loss], [want.loss])).toBeLessThan(TOLERANCE);
    expect(scaledError(grads.w, want.w)).toBeLessThan(TOLERANCE);
    expect(scaledError(grads.b, want.b)).toBeLessThan(TOLERANCE);
    expect(scaledError(grads.x, want.x)).toBeLessThan(TOLERANCE);
    expect(await runner.step()).toBeCloseTo(want.loss, 3);
    runner.dispose();
  });
});

describe('PyTorch peer', () => {
  const torch = findTorchPython();
  const timing = { reps: 1, warmup: 0, budgetMs: 0, minReps: 1 };

  // Where no Python imports torch, the harness must say so and leave torch out of every plan;
  // where one does, its process must agree with the CPU reference on both workloads.
  if ('missing' in torch) {
    it('is reported missing, with how to install it, and planned for no workload', () => {
      expect(torch.missing).toContain('scripts/setup-bench-peers.sh');
      const peers = { torch, jax: findJaxJs() };
      for (const workload of ['w1', 'w2'] as const) {
        const plan = planImpls(workload, peers);
        expect(plan.run.map((p) => p.impl)).not.toContain('torch');
        expect(plan.missing).toContainEqual({ impl: 'torch', reason: torch.missing });
      }
    });
  } else {
    it('runs W1 in its own process and agrees with the CPU reference, its SGD step included', async () => {
      const result = await expectLifMlpWorkerAgrees(tempDir(), pythonLauncher(torch.python), { impl: 'torch', timing, profile: false });
      expect(result.device).toContain(`PyTorch ${torch.version}`);
      expect(result.samples).toHaveLength(1);
    });

    it('runs W2 in its own process and agrees with the CPU reference', async () => {
      await expectPsnWorkerAgrees(tempDir(), pythonLauncher(torch.python), { impl: 'torch', timing, profile: false });
    });

    it('fails a request for another implementation with one line', async () => {
      const dir = tempDir();
      writePsnFixture(join(dir, 'fixture'), psnTiny);
      await expect(runWorker(pythonLauncher(torch.python), { workload: 'w2', impl: 'jax-js-wasm', fixture: join(dir, 'fixture'), timing, profile: false })).rejects.toThrow(/peer\.py runs impl 'torch'/);
    });
  }
});
