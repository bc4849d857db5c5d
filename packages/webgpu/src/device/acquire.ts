import { fail } from '@spikeflow/core';
import { createGpuContext, type GpuContext } from './context.js';
import { adapterFacts } from './software-adapter.js';

export interface AcquireOptions {
  /** The WebGPU entry point; `navigator.gpu` when absent (browser, Deno). Node passes dawn.node's (see '@spikeflow/webgpu/node'). */
  readonly gpu?: GPU;
  readonly powerPreference?: GPUPowerPreference;
  /** Limits to request instead of the defaults below; each must be within what the adapter supports. */
  readonly requiredLimits?: Readonly<Record<string, number>>;
  readonly label?: string;
  /**
   * Whether to enable the adapter's `subgroups` feature when it has one (default true): kernels
   * use it only where runtime/subgroup-width.ts verifies the layout they need.
   */
  readonly subgroups?: boolean;
}

/**
 * Limits requested at the adapter's maximum: the spec defaults (128 MiB storage bindings, 256
 * invocations per workgroup, ...) are far below what most adapters give, and big tensors need it.
 */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
] as const;

const HOW_TO_FIX =
  'On Linux without a GPU, install the lavapipe Vulkan driver of Mesa >= 25 (Debian bookworm: ' +
  'mesa-vulkan-drivers from bookworm-backports; scripts/setup.sh installs it). In Chromium, start it with ' +
  '--enable-unsafe-webgpu --enable-features=Vulkan. Or run on the CPU backend: selectBackend() falls back to it ' +
  'unless WebGPU is required.';

/** Requests an adapter and a device with raised limits; any failure is a SpikeflowError with code 'device'. */
export async function acquireDevice(options: AcquireOptions = {}): Promise<GpuContext> {
  const source = options.gpu ? 'options.gpu' : 'navigator.gpu';
  const gpu = options.gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) {
    fail(
      'device',
      'navigator.gpu',
      'no WebGPU implementation: no `gpu` option was given and navigator.gpu is undefined. In Node, use ' +
        "acquireNodeDevice() from '@spikeflow/webgpu/node'; in Deno, run with --unstable-webgpu; in a browser, " +
        `serve the page from https or localhost. ${HOW_TO_FIX}`,
    );
  }

  const tried = `${source}.requestAdapter(${options.powerPreference ? `{ powerPreference: '${options.powerPreference}' }` : ''})`;
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  } catch (error) {
    fail('device', 'requestAdapter', `${tried} threw, so there is no WebGPU adapter. ${HOW_TO_FIX}`, undefined, errorText(error));
  }
  if (!adapter) fail('device', 'requestAdapter', `${tried} found no WebGPU adapter. ${HOW_TO_FIX}`);

  const requiredLimits = limitsToRequest(adapter.limits, options.requiredLimits ?? {});
  // `features` is missing on some stand-in adapters (tests, wrappers): no features then.
  const subgroups = options.subgroups !== false && (adapter.features as GPUSupportedFeatures | undefined)?.has('subgroups') === true;
  const granted = adapter;
  const request = (requiredFeatures: GPUFeatureName[]) => granted.requestDevice({ requiredLimits, requiredFeatures, ...(options.label ? { label: options.label } : {}) });
  let device: GPUDevice;
  try {
    // Subgroups only speed kernels up: an adapter that lists them but refuses them still gives a device.
    device = subgroups ? await request(['subgroups' as GPUFeatureName]).catch(() => request([])) : await request([]);
  } catch (error) {
    fail('device', 'requestDevice', `the adapter (${describeAdapter(adapter)}) refused a device with these limits: ${JSON.stringify(requiredLimits)}`, undefined, errorText(error));
  }
  return createGpuContext(device, describeAdapter(adapter), adapterFacts(adapter));
}

/** The raised limits at the adapter's maximum, with the caller's own limits checked against the adapter and taking precedence. */
function limitsToRequest(supported: GPUSupportedLimits, requested: Readonly<Record<string, number>>): Record<string, number> {
  const available = supported as unknown as Readonly<Record<string, number | undefined>>;
  const limits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) {
    const max = available[name];
    if (max !== undefined) limits[name] = max;
  }
  for (const [name, value] of Object.entries(requested)) {
    const best = available[name];
    if (best === undefined) fail('device', `requiredLimits.${name}`, 'unknown WebGPU limit', 'a limit the adapter reports', name);
    // Alignment limits (min*) are better when smaller, so the adapter's value is a floor, not a ceiling.
    const isMinimum = name.startsWith('min');
    if (isMinimum ? value < best : value > best) {
      fail('device', `requiredLimits.${name}`, 'the adapter cannot give this limit', `${isMinimum ? '>=' : '<='} ${best}`, String(value));
    }
    limits[name] = value;
  }
  return limits;
}

function describeAdapter(adapter: GPUAdapter): string {
  // Older runtimes lack adapter.info although the types promise it.
  const info = (adapter as { info?: GPUAdapterInfo }).info;
  const parts = [info?.vendor, info?.architecture, info?.description].filter((part): part is string => !!part);
  return parts.length > 0 ? parts.join(' / ') : 'unknown adapter';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
