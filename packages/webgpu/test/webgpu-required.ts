import { inject, type TestContext } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why this run skips the WebGPU suites, or null when they run (provided by webgpu-probe.ts). */
    webgpuSkipReason: string | null;
  }
}

/** CI sets SPIKEFLOW_REQUIRE_WEBGPU=1: a missing WebGPU runtime or adapter then fails tests instead of skipping them. */
export const WEBGPU_REQUIRED = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1';

/**
 * Why this run skips the WebGPU suites (a software adapter without SPIKEFLOW_REQUIRE_WEBGPU=1, or
 * no WebGPU at all), or null when they run; decided and printed once by webgpu-probe.ts.
 */
export function webgpuSkipReason(): string | null {
  return inject('webgpuSkipReason') ?? null;
}

/**
 * When WebGPU is required, fails the test with `reason`; otherwise skips it, printing the reason
 * unless it is the run's skip reason (printed once already).
 */
export function unavailable(ctx: TestContext, reason: string): never {
  if (WEBGPU_REQUIRED) throw new Error(`${reason}\n(a failure, not a skip, because SPIKEFLOW_REQUIRE_WEBGPU=1)`);
  if (reason !== webgpuSkipReason()) console.warn(`skipped: ${reason}`);
  return ctx.skip(reason);
}

/** Skips a test that runs WebGPU outside this process (Deno, Chromium) when this run skips the WebGPU suites. */
export function skipIfWebGPUSkipped(ctx: TestContext): void {
  const reason = webgpuSkipReason();
  if (reason !== null) ctx.skip(reason);
}
