// `spikeflow train --data FILE`: the CLI trains on a user's .npz or event table (in this process,
// through runCli), and a malformed data file is one line naming the file, exit code 2.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcess } from './in-process.js';

const work = await mkdtemp(join(tmpdir(), 'spikeflow-cli-data-'));
afterAll(() => rm(work, { recursive: true, force: true }));
const fixture = (name: string) => fileURLToPath(new URL(`../../models/test/fixtures/${name}`, import.meta.url));

/** The CLI in this process; stderr without the progress bar's redrawn lines and Node's listener warnings. */
async function inProcessQuiet(...args: string[]): Promise<{ code: number; stdout: string; errors: string[] }> {
  const run = await inProcess(...args);
  return { ...run, errors: run.errors.filter((l) => !l.startsWith('Warning: max') && !l.includes('\r')) };
}

describe('train --data', () => {
  it('trains on an event table and writes the run, its task the file', async () => {
    const data = join(work, 'moving-bars.csv');
    await copyFile(fixture('moving-bars.csv'), data);
    const out = join(work, 'bars-run');
    const run = await inProcessQuiet('train', '--data', data, '--epochs', '3', '--batch', '6', '--train-batches', '8', '--test-batches', '2', '--lr', '0.02', '--out', out);
    expect(run.errors.filter((l) => l.startsWith('spikeflow:'))).toEqual([]);
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(join(out, 'run.json'), 'utf8')).task).toBe(data);
    const metrics = (await readFile(join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { testAccuracy: number });
    expect(metrics).toHaveLength(3);
    // Two balanced classes: chance is 1/2.
    expect(metrics.at(-1)!.testAccuracy).toBeGreaterThan(0.5);
  }, 240_000);

  it('refuses a malformed .npz in one line naming the file and member, exit code 2', async () => {
    const bytes = new Uint8Array(await readFile(fixture('data.npz')));
    const bad = join(work, 'bad.npz');
    await writeFile(bad, bytes.subarray(0, bytes.length - 30));
    const run = await inProcessQuiet('train', '--data', bad, '--out', join(work, 'bad-run'));
    expect(run.code).toBe(2);
    expect(run.errors).toEqual([`spikeflow: ${bad}: [feed] at '${bad}: zip': not a readable zip archive (invalid zip data)`]);
  });

  it('refuses --data with a task, and a missing file', async () => {
    expect((await inProcessQuiet('train', 'evidence', '--data', 'x.npz')).errors).toEqual(['spikeflow: train takes a task, a config.json or --data FILE (one of them)']);
    expect((await inProcessQuiet('train', '--data', join(work, 'none.npz'))).errors).toEqual([`spikeflow: cannot read data file ${join(work, 'none.npz')}`]);
  });
});
