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

/** One line per field, for the log. */
export function describeFacts(facts: AdapterFacts): string {
  return (['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter'] as const).map((k) => `  ${k}: ${facts[k] === undefined || facts[k] === '' ? '(empty)' : String(facts[k])}`).join('\n');
}
