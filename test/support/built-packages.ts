/**
 * The workspace packages built into their dist/ folders, for the tests that run them as a user
 * would (the pack-install test, the Deno example): `pnpm build` when any package's build is older
 * than its inputs, else nothing. Test files run in parallel, and a build replaces dist/ while
 * another test may be reading it, so builds happen under a lock and only when out of date; once
 * one test has built, the others find everything current and read dist/ without writing it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The workspace packages (folder names under packages/), in build order. */
export const PACKAGES = ['core', 'autodiff', 'webgpu', 'wasm', 'models', 'nir', 'plot', 'cli'] as const;
export type PackageFolder = (typeof PACKAGES)[number];

/** Inputs of every package's build besides its own src/, package.json and tsconfig.build.json. */
const SHARED_INPUTS = ['scripts/build-package.mjs', 'tsconfig.base.json'];

/** A build older than this is given up on as a crashed holder's lock. */
const LOCK_STALE_MS = 10 * 60_000;

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

function oldestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((oldest, entry) => Math.min(oldest, oldestMtime(join(path, entry))), Infinity);
}

/** Why `pkg` needs a build, or undefined when its dist/ is newer than all of its inputs. */
export function staleReason(pkg: PackageFolder): string | undefined {
  const dir = join(repositoryRoot, 'packages', pkg);
  const dist = join(dir, 'dist');
  if (!existsSync(dist) || readdirSync(dist).length === 0) return `packages/${pkg}/dist is missing`;
  const inputs = [join(dir, 'src'), join(dir, 'package.json'), join(dir, 'tsconfig.build.json'), ...SHARED_INPUTS.map((p) => join(repositoryRoot, p))];
  const built = oldestMtime(dist);
  const newer = inputs.filter((p) => existsSync(p) && newestMtime(p) > built);
  return newer.length === 0 ? undefined : `packages/${pkg}/dist is older than ${newer.map((p) => p.slice(repositoryRoot.length + 1)).join(', ')}`;
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((done, reject) => {
    execFile(command, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) done();
      else reject(new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${error.message.split('\n')[0]}):\n${stdout}${stderr}`));
    });
  });
}

async function withLock<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const lock = join(tmpdir(), `spikeflow-build-${createHash('sha256').update(repositoryRoot).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another build has held ${lock} for over ${timeoutMs / 1000} s; remove it if no build runs`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds the workspace (`pnpm build`) if any package is out of date; returns what it rebuilt for. */
export function ensureBuilt(timeoutMs = 180_000): Promise<string[]> {
  return withLock(async () => {
    const reasons = PACKAGES.map(staleReason).filter((r): r is string => r !== undefined);
    if (reasons.length > 0) await run('pnpm', ['build'], repositoryRoot, timeoutMs);
    const still = PACKAGES.map(staleReason).filter((r): r is string => r !== undefined);
    if (still.length > 0) throw new Error(`pnpm build left packages out of date: ${still.join('; ')}`);
    return reasons;
  }, timeoutMs);
}
