// Browser entry: bundled by esbuild into the page the Chromium test opens; stores the report on window.
import { REPORT_GLOBAL, runSuiteOnNavigatorGpu } from './run-suite.js';

(globalThis as Record<string, unknown>)[REPORT_GLOBAL] = await runSuiteOnNavigatorGpu();
