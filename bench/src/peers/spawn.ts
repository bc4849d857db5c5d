import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PeerUnavailable } from './interleave.js';
import { parseWorkerResult, type WorkerRequest, type WorkerResult } from './protocol.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.resolve(here, '..', '..');
const repoRoot = path.resolve(benchDir, '..');
export const TORCH_PEER_SCRIPT = path.join(benchDir, 'torch', 'peer.py');
const WORKER_SCRIPT = path.join(here, 'worker.ts');

/** A process per timed call set can hang on a broken driver; nothing in a full run takes this long. */
const WORKER_TIMEOUT_MS = 30 * 60_000;

/** How to start one implementation's process: a command and its leading arguments. */
export interface Launcher {
  readonly command: string;
  readonly args: readonly string[];
}

/** The TypeScript implementations run under tsx with the workspace's tsconfig (its paths map @spikeflow/* to sources). */
export function tsxLauncher(script = WORKER_SCRIPT): Launcher {
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  return { command: process.execPath, args: [tsxCli, '--tsconfig', path.join(repoRoot, 'tsconfig.json'), script] };
}

export function pythonLauncher(python: string): Launcher {
  return { command: python, args: [TORCH_PEER_SCRIPT] };
}

/**
 * Runs one request in a fresh process and returns its answer. A peer whose process fails is
 * PeerUnavailable (dropped with its last error line); spikeflow failing is an error.
 */
export function runWorker(launcher: Launcher, request: WorkerRequest, env: NodeJS.ProcessEnv = process.env): Promise<WorkerResult> {
  return runProcess(launcher, request.impl, [JSON.stringify(request)], env, (stdout) => parseWorkerResult(stdout, request.impl));
}

/**
 * Runs `launcher` with `args` in a fresh process for implementation `impl` and parses its stdout
 * once it exits; failures are reported as runWorker's are.
 */
export function runProcess<T>(launcher: Launcher, impl: string, args: readonly string[], env: NodeJS.ProcessEnv, parse: (stdout: string) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(launcher.command, [...launcher.args, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: WORKER_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) => reject(failure(impl, `could not start ${launcher.command}: ${error.message}`)));
    child.on('close', (code, signal) => {
      if (code !== 0) {
        const lastLine = stderr.trim().split('\n').filter(Boolean).pop() ?? stdout.trim().split('\n').pop() ?? '';
        reject(failure(impl, `its process exited with ${signal ?? `code ${code}`}: ${lastLine}`));
        return;
      }
      try {
        resolve(parse(stdout));
      } catch (error) {
        reject(failure(impl, (error as Error).message));
      }
    });
  });
}

const failure = (impl: string, message: string) => (impl.startsWith('spikeflow') ? new Error(`${impl}: ${message}`) : new PeerUnavailable(message));

/**
 * Every `python3` on the PATH, in PATH order: a version manager's python3 often comes first and
 * cannot see the packages Debian's python3-torch installs for the system's python3 further on.
 */
function pythonsOnPath(env: NodeJS.ProcessEnv): string[] {
  const found = (env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '').map((dir) => path.join(dir, 'python3'));
  return [...new Set(found.filter((file) => { try { accessSync(file, constants.X_OK); return true; } catch { return false; } }))];
}

/**
 * The first Python interpreter that imports torch and numpy, with torch's version: the one named
 * by SPIKEFLOW_BENCH_PYTHON, else each `python3` on the PATH, or the reason none does.
 */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): { python: string; version: string } | { missing: string } {
  const onPath = pythonsOnPath(env);
  const candidates = env.SPIKEFLOW_BENCH_PYTHON ? [env.SPIKEFLOW_BENCH_PYTHON] : onPath.length > 0 ? onPath : ['python3'];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import numpy, torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return { missing: `no ${candidates.join(' or ')} that imports torch (bash scripts/setup-bench-peers.sh installs it)` };
}

/** jax-js's version when it is installed, or the reason it is not. */
export function findJaxJs(): { version: string } | { missing: string } {
  try {
    const require = createRequire(import.meta.url);
    const pkg = require(path.join(path.dirname(require.resolve('@jax-js/jax')), '..', 'package.json')) as { version: string };
    return { version: pkg.version };
  } catch {
    return { missing: '@jax-js/jax is not installed (pnpm install in the workspace installs it)' };
  }
}
