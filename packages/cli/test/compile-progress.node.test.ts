// A cold run of the CLI shows that it is compiling kernels at once, not after minutes of silence:
// with Mesa's shader cache off, the first `compiling N kernels ... k/N` line reaches stderr (a
// pipe, so plain lines) within 2 s of the command starting. The CLI runs as a user runs it, built
// (`pnpm build`; the test builds what is out of date). The run is stopped there.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, repositoryRoot } from '../../../test/support/built-packages.js';
import { skipWithoutDevice, tryNodeDevice } from '../../webgpu/test/node-device.js';

const CLI = join(repositoryRoot, 'packages/cli/bin/spikeflow.js');
/** Clock ticks per second of /proc/<pid>/stat's CPU times (Linux's USER_HZ). */
const TICKS_PER_SECOND = 100;
const work = await mkdtemp(join(tmpdir(), 'spikeflow-compile-progress-'));
afterAll(() => rm(work, { recursive: true, force: true }));

/** CPU time (user + system, ms) the process has used so far, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * When the first line matching `pattern` arrived on stderr: wall ms after the spawn, the CPU ms the
 * CLI had used by then, and the line. The command is then killed.
 */
function firstLine(args: readonly string[], pattern: RegExp, env: NodeJS.ProcessEnv): Promise<{ ms: number; cpu: number; line: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: work, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n').slice(0, -1).find((l) => pattern.test(l));
      if (line === undefined) return;
      const ms = performance.now() - started;
      const cpu = cpuMs(child.pid!);
      child.kill('SIGKILL');
      resolve({ ms, cpu, line });
    });
    child.on('exit', (code) => reject(new Error(`the CLI exited (${code}) before a line matching ${pattern}; stderr:\n${text}`)));
  });
}

const acquired = await tryNodeDevice();
if ('ctx' in acquired) acquired.ctx.device.destroy(); // only asked whether the CLI will get a GPU
const skip = skipWithoutDevice(acquired, 'the CLI compile-progress test');

describe.skipIf(skip)('spikeflow train on a cold shader cache', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  it('prints a done/total kernel-compilation line within 2 s of the command starting', async () => {
    const { ms, cpu, line } = await firstLine(['train', 'evidence', '--epochs', '1', '--out', 'run', '--backend', 'webgpu'], /^compiling /, { MESA_SHADER_CACHE_DISABLE: 'true' });
    console.log(`"${line}" ${ms.toFixed(0)} ms after the spawn, ${cpu.toFixed(0)} ms of the CLI's CPU time`);
    const match = /^compiling (\d+) kernels \.\.\. (\d+)\/(\d+) \(\d+\.\d s\)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [, named, done, total] = match!.map(Number);
    expect(total).toBe(named);
    expect(total).toBeGreaterThan(1);
    expect(done).toBeLessThan(total!); // a cold cache: the kernels were still to be compiled
    // The CPU time the CLI spent getting there, which other tests running beside this one on a
    // shared machine do not inflate as they do the wall time (logged above).
    expect(cpu).toBeLessThan(2000);
  }, 360_000);
});
