// Deno entry: bundled by esbuild, run with `deno run --unstable-webgpu`; prints one report line and
// exits non-zero unless the whole suite passed.
import { REPORT_LINE_PREFIX, runSuiteOnNavigatorGpu } from './run-suite.js';

declare const Deno: { exit(code: number): never };

const report = await runSuiteOnNavigatorGpu();
console.log(REPORT_LINE_PREFIX + JSON.stringify(report));
Deno.exit(report.status === 'ran' && report.failed.length === 0 ? 0 : 1);
