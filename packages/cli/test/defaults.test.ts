// Every CLI task's default model can learn it: a task whose answer needs memory (delayed XOR)
// gets a recurrent default, the others a feed-forward one, and `train delayed-xor` with every
// default reaches 90% held-out accuracy (the feed-forward default stays at chance there: its
// time-summed scores add what each bit contributes, and no g(a) + g(b) separates a XOR b).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSequential, standardLayers } from '@spikeflow/models';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from './in-process.js';
import { checkConfig, configuredModel, configuredSpec } from '../src/run-config.js';
import { loadTask, TASK_NAMES, taskNeeds } from '../src/tasks.js';

const work = await mkdtemp(join(tmpdir(), 'spikeflow-defaults-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** Layer kinds that carry state from one step to the next through learned weights. */
const RECURRENT_KINDS = new Set(['recurrent']);

describe('default models', () => {
  it('delayed XOR is a task that needs memory; MNIST and evidence accumulation are not', () => {
    expect(Object.fromEntries(TASK_NAMES.map((name) => [name, taskNeeds(name)]))).toEqual({ mnist: 'none', evidence: 'none', 'delayed-xor': 'memory' });
  });

  it.each(TASK_NAMES)("task %s: the default model is recurrent exactly when the task needs memory, and builds for the task's shapes", async (name) => {
    const config = checkConfig({ task: name }, 'test');
    const { info } = await loadTask(name);
    const kinds = parseSequential(configuredSpec(config, info), standardLayers).layers.map((l) => l.kind);
    expect(kinds.some((k) => RECURRENT_KINDS.has(k))).toBe(taskNeeds(name) === 'memory');
    const model = configuredModel(config, info);
    const scores = model.outputs.find((o) => o.name === 'scores')!;
    expect(model.nodes[scores.node]!.type).toEqual({ shape: [config.batch, info.outputSize], dtype: 'f32' });
  });

  it('train delayed-xor with every default reaches 90% held-out accuracy (chance 50%)', async () => {
    const dir = join(work, 'xor');
    const { code, errors } = await inProcess('train', 'delayed-xor', '--out', dir);
    expect(code, errors.join('\n')).toBe(0);
    const metrics = (await readFile(join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; testAccuracy: number });
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(metrics[2]!.testAccuracy).toBeGreaterThanOrEqual(0.9);
  }, 240_000);
});
