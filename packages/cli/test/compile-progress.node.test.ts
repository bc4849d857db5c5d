// A cold run of the CLI shows that it is compiling kernels at once, not after minutes of silence:
// with Mesa's shader cache off, the first `compiling N kernels ... k/N` line reaches stderr (a
// pipe, so plain lines) within 2 s of the command starting. The run is stopped there.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutDevice, tryNodeDevice } from '../../webgpu/test/node-device.js';

const TSX = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
const CLI = fileURLToPath(new URL('../src/spikeflow.ts', import.meta.url));
const TSCONFIG = fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'spikeflow-compile-progress-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const acquired = await tryNodeDevice();
if ('ctx' in acquired) acquired.ctx.device.destroy(); // only asked whether the CLI will get a GPU
const skip = skipWithoutDevice(acquired, 'the CLI compile-progress test');

/**
 * When the first line matching `pattern` arrived on `stream`, in ms after the spawn, and the line.
 * The command is then killed with its process group (tsx runs the CLI in a child process of its own).
 */
function firstLine(args: readonly string[], stream: 'stdout' | 'stderr', pattern: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ ms: number; line: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(TSX, [CLI, ...args], { cwd: work, env: { ...process.env, ...env, TSX_TSCONFIG_PATH: TSCONFIG }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let text = '';
    child[stream].setEncoding('utf8');
    child[stream].on('data', (chunk: string) => {
      text += chunk;
      const line = text.split('\n').slice(0, -1).find((l) => pattern.test(l));
      if (line === undefined) return;
      resolve({ ms: performance.now() - started, line });
      process.kill(-child.pid!, 'SIGKILL');
    });
    child.on('exit', (code) => reject(new Error(`the CLI exited (${code}) before a line matching ${pattern}; ${stream}:\n${text}`)));
  });
}

describe.skipIf(skip)('spikeflow train on a cold shader cache', () => {
  it('prints a done/total kernel-compilation line within 2 s of the command starting', async () => {
    // Run from source, the CLI spends its first seconds in tsx compiling and loading every module
    // (about 2 s of CPU, far more on a busy machine), before any command starts; a built CLI does
    // not. `--help` loads the same modules and answers at once, so its time is that start-up.
    const loaded = await firstLine(['--help'], 'stdout', /^usage:/);
    const { ms, line } = await firstLine(['train', 'evidence', '--epochs', '1', '--out', 'run'], 'stderr', /^compiling /, { MESA_SHADER_CACHE_DISABLE: 'true' });
    console.log(`"${line}" ${ms.toFixed(0)} ms after the spawn; --help answered after ${loaded.ms.toFixed(0)} ms`);
    const match = /^compiling (\d+) kernels \.\.\. (\d+)\/(\d+) \(\d+\.\d s\)$/.exec(line);
    expect(match, line).not.toBeNull();
    const [, named, done, total] = match!.map(Number);
    expect(total).toBe(named);
    expect(total).toBeGreaterThan(1);
    expect(done).toBeLessThan(total!); // a cold cache: the kernels were still to be compiled
    expect(ms - loaded.ms).toBeLessThan(2000);
  }, 120_000);
});
