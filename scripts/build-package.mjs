// Builds one workspace package: esbuild bundles its ESM JavaScript, tsc writes its declarations.
// Usage (from a package folder): node ../../scripts/build-package.mjs
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
// Dependencies stay imports. So do Node's builtins: only the Node edges (the dawn.node adapter in webgpu)
// import them, and test/dependencies.test.ts keeps them out of core, autodiff and models.
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'node:*',
  ...builtinModules,
];
// One entry per subpath export: "." is src/index.ts, "./node" is src/node.ts.
const entryPoints = Object.keys(pkg.exports ?? { '.': {} }).map((key) => (key === '.' ? 'src/index.ts' : `src/${key.slice(2)}.ts`));
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
    external,
  });
} catch {
  // esbuild has already printed its errors.
  console.error(`build of ${pkg.name} failed (esbuild)`);
  process.exit(1);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
} catch {
  // tsc has already printed its errors.
  console.error(`build of ${pkg.name} failed (tsc declarations)`);
  process.exit(1);
}
