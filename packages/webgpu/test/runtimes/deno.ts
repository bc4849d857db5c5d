import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The Deno binary from the `deno` npm package (a root devDependency). Its install API is what the
 * package's own bin and postinstall use: it finds the per-platform binary package (@deno/linux-x64-glibc, ...),
 * so it works whether or not pnpm ran the postinstall.
 */
export function denoExecutable(): string {
  const installApi = createRequire(import.meta.url)('deno/install_api.cjs') as { runInstall(): string };
  return installApi.runInstall();
}

/**
 * Runs a bundled script with WebGPU enabled, from an empty temporary folder (no package.json or
 * deno.json for Deno to pick up, its cache in there too), killed after `timeoutMs`. The folder is removed after.
 */
export async function runDenoScript(script: string, timeoutMs: number): Promise<ProcessResult> {
  const deno = denoExecutable();
  const dir = await mkdtemp(join(tmpdir(), 'spikeflow-deno-'));
  try {
    const file = join(dir, 'entry.js');
    await writeFile(file, script);
    return await run(deno, ['run', '--unstable-webgpu', '--no-prompt', file], {
      cwd: dir,
      env: { ...process.env, DENO_DIR: join(dir, 'cache'), DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1' },
      timeoutMs,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
