// The packages as a user gets them: every workspace package built and packed with `pnpm pack`,
// the tarballs installed with npm into a fresh project outside the workspace (other dependencies
// come from the npm registry or npm's cache), then run from there: each package README's example
// in Node (its output must be the one the README shows), the models example in Deno through
// `npm:` specifiers, and `npx spikeflow --help`. Also checks what the tarballs hold and that every
// shipped source map resolves inside its package.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denoExecutable } from '../packages/webgpu/test/runtimes/deno.js';
import { unavailable } from '../packages/webgpu/test/webgpu-required.js';
import { ensureBuilt, PACKAGES, repositoryRoot, type PackageFolder } from './support/built-packages.js';

interface Output {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of the commands run in the fresh project: this one without the npm_* and
 * pnpm_* settings that `pnpm test` passes down, so npm runs with its own defaults as for a user.
 */
const cleanEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(npm|pnpm)_/i.test(key))),
  NO_COLOR: '1',
  DENO_NO_UPDATE_CHECK: '1',
};

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 60_000): Promise<Output> {
  return new Promise((done) => {
    execFile(command, args, { cwd, env: cleanEnv, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      done({ code, stdout, stderr: error !== null && error.killed ? `${stderr}\n[killed after ${timeoutMs} ms]` : stderr });
    });
  });
}

/** Runs a command that must succeed, or throws with what it printed. */
async function mustRun(command: string, args: readonly string[], cwd: string, timeoutMs?: number): Promise<Output> {
  const out = await run(command, args, cwd, timeoutMs);
  if (out.code !== 0) throw new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited with ${out.code}:\n${out.stdout}${out.stderr}`);
  return out;
}

interface PackageJson {
  name: string;
  version: string;
  files?: string[];
  dependencies?: Record<string, string>;
}

const packageJson = (dir: string): PackageJson => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;

/** A README's example: its first ```js block and the ```text block after it, the exact output. */
function readmeExample(pkg: PackageFolder): { code: string; output: string } | undefined {
  const text = readFileSync(join(repositoryRoot, 'packages', pkg, 'README.md'), 'utf8');
  const match = /```js\n([\s\S]*?)```[\s\S]*?```text\n([\s\S]*?)```/.exec(text);
  return match === null ? undefined : { code: match[1]!, output: match[2]! };
}

/** Every file under `dir`, relative to it, posix-style. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

let work: string;
let app: string;
const installed = (pkg: PackageFolder) => join(app, 'node_modules', '@spikeflow', pkg);

beforeAll(async () => {
  const started = performance.now();
  const rebuilt = await ensureBuilt();
  const built = performance.now();
  work = await mkdtemp(join(tmpdir(), 'spikeflow-pack-'));
  const tarballs = join(work, 'tarballs');
  app = join(work, 'app');
  await mkdir(app);
  // One folder per package, so each pack's tarball is the one file in its folder.
  const packs = PACKAGES.map(async (pkg): Promise<[string, string]> => {
    const dir = join(repositoryRoot, 'packages', pkg);
    const destination = join(tarballs, pkg);
    await mustRun('pnpm', ['pack', '--pack-destination', destination], dir);
    const made = readdirSync(destination);
    if (made.length !== 1) throw new Error(`pnpm pack in packages/${pkg} made ${made.length} files: ${made.join(', ')}`);
    return [packageJson(dir).name, `file:${join(destination, made[0]!)}`];
  });
  const dependencies = Object.fromEntries(await Promise.all(packs));
  const packed = performance.now();
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'spikeflow-pack-install', private: true, type: 'module', dependencies }, null, 2));
  await mustRun('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app, 180_000);
  console.log(
    `pack-install: build ${((built - started) / 1000).toFixed(1)} s (${rebuilt.length === 0 ? 'up to date' : rebuilt.join('; ')}), ` +
      `pack ${((packed - built) / 1000).toFixed(1)} s, npm install ${((performance.now() - packed) / 1000).toFixed(1)} s, in ${work}`,
  );
}, 400_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('the packed packages', () => {
  for (const pkg of PACKAGES) {
    it(`@spikeflow/${pkg}: the tarball holds its README, LICENSE, built code and sources, and pins spikeflow versions`, () => {
      const dir = installed(pkg);
      const files = listFiles(dir);
      for (const file of ['package.json', 'README.md', 'LICENSE']) expect(files, `${file} missing from @spikeflow/${pkg}`).toContain(file);
      for (const entry of packageJson(dir).files ?? []) {
        expect(files.some((f) => f === entry || f.startsWith(`${entry}/`)), `"files" entry ${entry} is not in the @spikeflow/${pkg} tarball`).toBe(true);
      }
      const ranges = Object.entries(packageJson(dir).dependencies ?? {}).filter(([, range]) => range.startsWith('workspace:'));
      expect(ranges, 'workspace: ranges must be replaced by versions when packing').toEqual([]);
    });

    it(`@spikeflow/${pkg}: every shipped source map's sources are in the package`, () => {
      const dir = installed(pkg);
      const maps = listFiles(dir).filter((f) => f.endsWith('.map'));
      expect(maps.length, `@spikeflow/${pkg} ships no source maps`).toBeGreaterThan(0);
      const unresolved: string[] = [];
      for (const map of maps) {
        const { sources, sourceRoot = '', sourcesContent = [] } = JSON.parse(readFileSync(join(dir, map), 'utf8')) as { sources: string[]; sourceRoot?: string; sourcesContent?: (string | null)[] };
        sources.forEach((source, i) => {
          if (typeof sourcesContent[i] === 'string') return;
          const target = resolve(dirname(join(dir, map)), sourceRoot, source);
          if (!target.startsWith(dir + sep) || !existsSync(target)) unresolved.push(`${map}: ${source}`);
        });
      }
      expect(unresolved).toEqual([]);
    });
  }
});

describe('the installed packages run', () => {
  for (const pkg of PACKAGES) {
    const example = readmeExample(pkg);
    if (example === undefined) continue;
    it(`packages/${pkg}/README.md's example prints what the README shows (Node)`, async (ctx) => {
      const file = join(app, `readme-${pkg}.mjs`);
      await writeFile(file, example.code);
      const out = await run(process.execPath, [file], app);
      // dawn.node's own notes about adapter limits are not the example's output.
      const stderr = out.stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('Warning: max'));
      if (pkg === 'webgpu' && out.code !== 0 && /adapter|navigator\.gpu|dawn/i.test(out.stderr)) unavailable(ctx, `no WebGPU in Node for the webgpu README example: ${stderr.join(' ')}`);
      expect({ code: out.code, stderr }, `the example of packages/${pkg}/README.md failed`).toEqual({ code: 0, stderr: [] });
      expect(out.stdout).toBe(example.output);
    });
  }

  it('every entry point of every library package imports in Node', async () => {
    const specifiers = PACKAGES.flatMap((pkg) => {
      const { name, exports = {} } = packageJson(installed(pkg)) as PackageJson & { exports?: Record<string, unknown> };
      return Object.keys(exports).map((key) => (key === '.' ? name : `${name}/${key.slice(2)}`));
    });
    expect(specifiers).toEqual(expect.arrayContaining(['@spikeflow/core', '@spikeflow/nir', '@spikeflow/webgpu/node']));
    const script = `for (const s of ${JSON.stringify(specifiers)}) await import(s);\nconsole.log('imported');\n`;
    const file = join(app, 'import-all.mjs');
    await writeFile(file, script);
    const out = await run(process.execPath, [file], app);
    expect({ code: out.code, stdout: out.stdout, stderr: out.stderr }).toEqual({ code: 0, stdout: 'imported\n', stderr: '' });
  });

  it('the models README example runs in Deno from npm: specifiers against the installed packages', async (ctx) => {
    let deno: string;
    try {
      deno = denoExecutable();
    } catch (error) {
      return unavailable(ctx, `no Deno binary from the 'deno' npm package (run pnpm install): ${String(error)}`);
    }
    const example = readmeExample('models')!;
    const file = join(app, 'readme-models-deno.mjs');
    // `npm:@spikeflow/x` with --node-modules-dir=manual: Deno takes the package from this project's node_modules.
    await writeFile(file, example.code.replaceAll("from '@spikeflow/", "from 'npm:@spikeflow/"));
    const out = await run(deno, ['run', '--node-modules-dir=manual', '--allow-env=NODE_ENV', '--no-prompt', file], app);
    expect({ code: out.code, stderr: out.stderr }, 'Deno failed to run the models example').toEqual({ code: 0, stderr: '' });
    expect(out.stdout).toBe(example.output);
  });

  it('npx spikeflow --help prints the usage', async () => {
    const out = await mustRun('npx', ['--no-install', 'spikeflow', '--help'], app);
    expect(out.stdout).toMatch(/^usage: spikeflow <command> \[options\]\n/);
    expect(out.stdout).toMatch(/\n {2}train <task\|config\.json> \[options\]/);
  });

  it('npx spikeflow rejects an unknown task with one line and exit code 2', async () => {
    const out = await run('npx', ['--no-install', 'spikeflow', 'train', 'no-such-task', '--out', join(work, 'run')], app);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toEqual([expect.stringMatching(/unknown task 'no-such-task'/)]);
    expect(existsSync(join(work, 'run'))).toBe(false);
  });
});
