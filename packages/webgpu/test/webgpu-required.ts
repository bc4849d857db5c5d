import type { TestContext } from 'vitest';

/** CI sets SPIKEFLOW_REQUIRE_WEBGPU=1: a missing WebGPU runtime or adapter then fails tests instead of skipping them. */
export const WEBGPU_REQUIRED = process.env.SPIKEFLOW_REQUIRE_WEBGPU === '1';

/** When WebGPU is required, fails the test with `reason`; otherwise prints the reason and skips the test. */
export function unavailable(ctx: TestContext, reason: string): never {
  if (WEBGPU_REQUIRED) throw new Error(`${reason}\n(a failure, not a skip, because SPIKEFLOW_REQUIRE_WEBGPU=1)`);
  console.warn(`skipped: ${reason}`);
  return ctx.skip(reason);
}
