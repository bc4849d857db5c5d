// Builds one workspace package: esbuild bundles its ESM JavaScript, tsc writes its declarations.
// Usage (from a package folder): node ../../scripts/build-package.mjs
//
// Source maps (dist/*.js.map from esbuild, dist/*.d.ts.map from tsc) name the package's src/*.ts
// files, which every package ships (package.json "files"), so the maps resolve in an installed
// package and "go to definition" lands in the TypeScript source. The JavaScript maps therefore
// carry no sourcesContent copy of it. test/pack-install.test.ts checks every shipped map.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
// Dependencies stay imports. So do Node's builtins: only the Node edges (the dawn.node adapter in webgpu,
// the cli) import them, and test/dependencies.test.ts keeps them out of core, autodiff, models and nir.
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'node:*',
  ...builtinModules,
];
// One entry per subpath export: "." is src/index.ts, "./node" is src/node.ts.
const exportEntries = Object.keys(pkg.exports ?? {}).map((key) => (key === '.' ? 'src/index.ts' : `src/${key.slice(2)}.ts`));
// One entry per command: "bin": { "spikeflow": "./bin/spikeflow.js" } is a committed launcher
// (a package manager links it at install time, before any build) that imports dist/spikeflow.js,
// built from src/spikeflow.ts.
const binFiles = Object.values(pkg.bin ?? {});
const binEntries = binFiles.map((file) => {
  const match = /^(?:\.\/)?bin\/([\w-]+)\.js$/.exec(file);
  if (match === null) fail(`"bin" names ${JSON.stringify(file)}; a command is a launcher bin/<name>.js built from src/<name>.ts`);
  const first = readFileSync(file, 'utf8').split('\n', 1)[0];
  if (first !== '#!/usr/bin/env node') fail(`${file} starts with ${JSON.stringify(first)}, not "#!/usr/bin/env node", so npx cannot run it`);
  return `src/${match[1]}.ts`;
});
const entryPoints = [...exportEntries, ...binEntries];
if (entryPoints.length === 0) fail('package.json has neither "exports" nor "bin": nothing to build');
rmSync('dist', { recursive: true, force: true });
try {
  await build({
    entryPoints,
    outdir: 'dist',
    outbase: 'src',
    splitting: true,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    sourcemap: true,
    sourcesContent: false,
    external,
  });
} catch {
  // esbuild has already printed its errors.
  fail('esbuild');
}
// Declarations only for a library: a command-only package (no "exports") has no importers.
if (exportEntries.length === 0) process.exit(0);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
} catch {
  // tsc has already printed its errors.
  fail('tsc declarations');
}

function fail(why) {
  console.error(`build of ${pkg.name} failed: ${why}`);
  process.exit(1);
}
