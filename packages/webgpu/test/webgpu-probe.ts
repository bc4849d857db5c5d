// Vitest global setup: asks dawn.node once, before any test file runs, which WebGPU adapter this
// machine has, and hands every file the reason to skip the WebGPU suites (null: they run). On a
// software adapter (lavapipe, SwiftShader) the WebAssembly backend is the default and shader
// compiles take seconds, so there the WebGPU suites run only when SPIKEFLOW_REQUIRE_WEBGPU=1 asks
// for them (CI); a hardware adapter runs them as always.
import { SpikeflowError } from '@spikeflow/core';
import type { TestProject } from 'vitest/node';
import { adapterFacts, softwareRendererName } from '../src/device/software-adapter.js';
import { nodeGpu } from '../src/node.js';
import { WEBGPU_REQUIRED } from './webgpu-required.js';

const HOW_TO_RUN = 'SPIKEFLOW_REQUIRE_WEBGPU=1 pnpm test runs them (CI does)';

/** Why the WebGPU suites do not run here, or null when they do. */
async function skipReason(): Promise<string | null> {
  if (WEBGPU_REQUIRED) return null;
  let adapter: GPUAdapter | null;
  try {
    adapter = await (await nodeGpu()).requestAdapter();
  } catch (error) {
    if (!(error instanceof SpikeflowError && error.code === 'device')) throw error;
    return `no WebGPU in Node (${error.message.split('\n')[0]}); ${HOW_TO_RUN}, failing without a device`;
  }
  if (adapter === null) return `dawn.node found no WebGPU adapter; ${HOW_TO_RUN}, failing without a device`;
  const software = softwareRendererName(adapterFacts(adapter));
  if (software === null) return null;
  return `the only WebGPU adapter is software (${software}), where the WebAssembly backend is the default; ${HOW_TO_RUN}`;
}

export default async function setup(project: TestProject): Promise<void> {
  const reason = await skipReason();
  // The one line saying so; each skipped suite also shows in vitest's summary.
  if (reason !== null) console.log(`WebGPU suites skipped: ${reason}`);
  project.provide('webgpuSkipReason', reason);
}
