/**
 * Whether a WebGPU adapter is a GPU emulated on the CPU. Such an adapter runs spikeflow's
 * kernels correctly but slowly (shader compiles take seconds), so backend choice and the
 * hardware benchmark both ask this one question here.
 */

/** What a WebGPU adapter says about itself (GPUAdapterInfo's fields, plus the fallback flag where the runtime has it). */
export interface AdapterFacts {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/**
 * Names of GPUs emulated on the CPU: Mesa's lavapipe (it reports llvmpipe, architecture
 * `software`), softpipe, Google's SwiftShader, Microsoft's WARP ("Basic Render Driver").
 */
const SOFTWARE_NAMES = /\b(llvmpipe|lavapipe|softpipe|swiftshader|software|basic render)\b/i;

/** Why `facts` describe a software adapter (the field and its value), or null for a hardware GPU. */
export function softwareAdapterReason(facts: AdapterFacts): string | null {
  if (facts.isFallbackAdapter === true) return 'it is a fallback adapter (isFallbackAdapter = true)';
  for (const field of ['vendor', 'architecture', 'device', 'description'] as const) {
    const value = facts[field];
    const match = value === undefined ? null : SOFTWARE_NAMES.exec(value);
    if (match !== null) return `its ${field} "${value}" names a software renderer (${match[1]})`;
  }
  return null;
}

/** The software renderer's own name (llvmpipe, SwiftShader, ...) for a one-line message, or null for a hardware GPU. */
export function softwareRendererName(facts: AdapterFacts): string | null {
  // A product name (llvmpipe, SwiftShader) says more than lavapipe's architecture "software".
  let generic: string | null = null;
  for (const field of ['description', 'device', 'architecture', 'vendor'] as const) {
    const match = SOFTWARE_NAMES.exec(facts[field] ?? '');
    if (match === null) continue;
    if (match[1]!.toLowerCase() !== 'software') return match[1]!;
    generic ??= match[1]!;
  }
  return generic ?? (facts.isFallbackAdapter === true ? 'a fallback adapter' : null);
}

/**
 * The facts of a real adapter. `info` is missing on older runtimes although the types promise it,
 * and `isFallbackAdapter` moved from the adapter to its info, so both places are read.
 */
export function adapterFacts(adapter: GPUAdapter): AdapterFacts {
  const info = (adapter as { info?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).info;
  const fallback = info?.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    ...(info?.vendor === undefined ? {} : { vendor: info.vendor }),
    ...(info?.architecture === undefined ? {} : { architecture: info.architecture }),
    ...(info?.device === undefined ? {} : { device: info.device }),
    ...(info?.description === undefined ? {} : { description: info.description }),
    ...(fallback === undefined ? {} : { isFallbackAdapter: fallback }),
  };
}

/** One line per field, for the log. */
export function describeFacts(facts: AdapterFacts): string {
  return (['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'] as const).map((k) => `  ${k}: ${facts[k] === undefined || facts[k] === '' ? '(empty)' : String(facts[k])}`).join('\n');
}
