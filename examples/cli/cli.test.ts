// The CLI as a user runs it (tsx in a child process): a small run writes metrics, plot and
// checkpoint; --resume continues the same run; eval and inspect read them; bad input fails cleanly.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const CLI = fileURLToPath(new URL('./spikeflow.ts', import.meta.url));
// The root tsconfig maps @spikeflow/* to sources (as `pnpm cli` gets from its cwd); the runs happen in a temp dir.
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'spikeflow-cli-'));
afterAll(() => rm(work, { recursive: true, force: true }));

interface Result {
  readonly code: number;
  readonly stdout: string;
  /** stderr without dawn.node's own adapter-limit warnings, which the CLI does not write. */
  readonly errors: string[];
}

function cli(...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(TSX, [CLI, ...args], { cwd: work, timeout: 120_000, env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG } }, (error, stdout, stderr) => {
      const errors = stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Warning: max'));
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, errors });
    });
  });
}

const SMALL = ['--train-batches', '4', '--test-batches', '2', '--batch', '16'];
const lines = async (path: string) => (await readFile(path, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { epoch: number; loss: number; testAccuracy: number });

describe('spikeflow CLI', () => {
  const run = join(work, 'run');

  it('train writes metrics, the SVG plot and a checkpoint; --resume continues the run; eval reads it', async () => {
    const first = await cli('train', 'evidence', '--epochs', '1', ...SMALL, '--out', run);
    expect(first.code, first.errors.join('\n')).toBe(0);
    expect((await readdir(run)).sort()).toEqual(['checkpoint.spikeflow', 'curves.svg', 'metrics.jsonl', 'run.json']);
    expect((await lines(join(run, 'metrics.jsonl'))).map((m) => m.epoch)).toEqual([1]);
    expect(await readFile(join(run, 'curves.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);

    const resumed = await cli('train', '--resume', join(run, 'checkpoint.spikeflow'), '--epochs', '2');
    expect(resumed.code, resumed.errors.join('\n')).toBe(0);
    const metrics = await lines(join(run, 'metrics.jsonl'));
    expect(metrics.map((m) => m.epoch)).toEqual([1, 2]);
    expect(resumed.errors.join('\n')).toMatch(/epoch 2\/2/);
    expect(resumed.errors.join('\n')).not.toMatch(/epoch 1\/2/);

    const evaluated = await cli('eval', join(run, 'checkpoint.spikeflow'));
    expect(evaluated.code, evaluated.errors.join('\n')).toBe(0);
    const report = JSON.parse(evaluated.stdout.trim()) as { epoch: number; testAccuracy: number };
    expect(report.epoch).toBe(2);
    expect(report.testAccuracy).toBeCloseTo(metrics[1]!.testAccuracy, 6); // the same params, the same held-out set
  }, 150_000);

  it('inspect prints layers, shapes and parameter count, and writes DOT', async () => {
    const config = join(work, 'model.json');
    const model = { kind: 'sequential', layers: [{ kind: 'linear', in: 16, out: 8 }, { kind: 'lif' }, { kind: 'linear', in: 8, out: 2, bias: true }, { kind: 'lif' }] };
    await writeFile(config, JSON.stringify({ task: 'evidence', model, epochs: 2, lr: 0.005, batch: 4 }));
    const result = await cli('inspect', config, '--dot', join(work, 'model.dot'));
    expect(result.code, result.errors.join('\n')).toBe(0);
    expect(result.stdout).toMatch(/x: f32\[56, 4, 16\]/);
    expect(result.stdout).toMatch(/linear0\s+\d+\s+w\[16, 8\]\s+128/);
    expect(result.stdout).toMatch(/linear2\s+\d+\s+w\[8, 2\] b\[2\]\s+18/);
    expect(result.stdout).toMatch(/146 parameters/);
    expect(await readFile(join(work, 'model.dot'), 'utf8')).toMatch(/^digraph/);
  });

  describe('bad input: one line on stderr, exit code 2, no files', async () => {
    const bad = join(work, 'bad.json');
    const wrongModel = join(work, 'wrong-model.json');
    await writeFile(bad, '{"task": "evidence", ');
    await writeFile(wrongModel, JSON.stringify({ task: 'evidence', model: { kind: 'sequential', layers: [{ kind: 'linear', in: 16, out: 3 }, { kind: 'lif' }] } }));
    const cases: [string, string[], RegExp][] = [
      ['an unknown task', ['train', 'nope'], /unknown task 'nope'/],
      ['a malformed config file', ['train', bad], /bad\.json: malformed JSON/],
      ['a model that does not fit the task', ['train', wrongModel], /last layer must give \[T, B, 2\]/],
      ['a missing checkpoint', ['train', '--resume', join(work, 'none.spikeflow')], /checkpoint not found/],
      ['eval of a missing checkpoint', ['eval', join(work, 'none.spikeflow')], /checkpoint not found/],
      ['--epochs 0', ['train', 'evidence', '--epochs', '0'], /--epochs: epochs must be an integer >= 1, got 0/],
      ['--lr -1', ['train', 'evidence', '--lr=-1'], /--lr: lr must be a number > 0/],
      ['an unknown option', ['train', 'evidence', '--epoch', '2'], /Unknown option '--epoch'/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const out = join(work, `out-${name.replace(/\W+/g, '-')}`);
        const result = await cli(...args, '--out', out);
        expect(result.code).toBe(2);
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]).toMatch(message);
        expect(existsSync(out)).toBe(false);
      });
    }
  });
});
