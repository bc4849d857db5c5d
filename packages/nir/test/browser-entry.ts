// Browser entry: bundled by esbuild into the page the Chromium test opens. The test prepends the
// NIR file's bytes as base64; the page stores the round trip's result, or the error, on window.
import { INPUT_GLOBAL, RESULT_GLOBAL, nirRoundTrip } from './browser-round-trip.js';

const base64 = (globalThis as Record<string, unknown>)[INPUT_GLOBAL] as string;
const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
(globalThis as Record<string, unknown>)[RESULT_GLOBAL] = await nirRoundTrip(bytes).catch((error: unknown) => ({
  error: error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error),
}));
