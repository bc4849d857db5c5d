// BENCHMARKS.md is rewritten whole by `pnpm bench`; the hand-written kernel tuning notes live in
// their own file and must come through every regeneration unchanged.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { KERNEL_TUNING_NOTES_FILE, writeReport } from '../bench/src/report/markdown.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('benchmark report', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('ends with the kernel tuning notes, verbatim', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spikeflow-report-'));
    dirs.push(dir);
    const reportFile = join(dir, 'BENCHMARKS.md');
    await writeReport([], { reportFile, chartsDir: dir, quick: true, about: ['a run'] });
    const notes = readFileSync(KERNEL_TUNING_NOTES_FILE, 'utf8');
    expect(notes.startsWith('## Kernel tuning notes\n')).toBe(true);
    const report = readFileSync(reportFile, 'utf8');
    expect(report.endsWith(`\n\n${notes}`)).toBe(true);
    expect(report.indexOf('## Kernel tuning notes')).toBe(report.length - notes.length);
  });

  it('is what the committed BENCHMARKS.md ends with', () => {
    const notes = readFileSync(KERNEL_TUNING_NOTES_FILE, 'utf8');
    const committed = readFileSync(join(REPO_ROOT, 'BENCHMARKS.md'), 'utf8');
    expect(committed.endsWith(`\n\n${notes}`), 'regenerate it: pnpm bench --report-only').toBe(true);
  });
});
