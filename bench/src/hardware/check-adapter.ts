/**
 * `tsx bench/src/hardware/check-adapter.ts [--allow-software]`: prints the adapter dawn.node picks
 * (high-performance preference, as the bench's device) and exits 1 with the reason when it is a
 * software renderer, unless --allow-software. Run by scripts/bench-hardware-gpu.sh.
 */
import { nodeGpu } from '@spikeflow/webgpu/node';
import { adapterFacts, describeFacts, softwareAdapterReason } from '@spikeflow/webgpu';

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = args.filter((a) => a !== '--allow-software');
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')} (use --allow-software)`);
  const gpu = await nodeGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error('dawn.node found no WebGPU adapter: is a Vulkan driver (ICD) for this GPU installed? (vulkaninfo --summary lists them)');
  const facts = adapterFacts(adapter);
  console.log(`WebGPU adapter picked by dawn.node:\n${describeFacts(facts)}`);
  const reason = softwareAdapterReason(facts);
  if (reason === null) {
    console.log('adapter check: a hardware GPU');
    return 0;
  }
  if (args.includes('--allow-software')) {
    console.log(`adapter check: software (${reason}); allowed by --allow-software`);
    return 0;
  }
  console.error(`adapter check failed: not a hardware GPU: ${reason}. Install the GPU's Vulkan driver (NVIDIA: the proprietary driver with its Vulkan ICD; AMD, Intel: mesa-vulkan-drivers), check vulkaninfo --summary, or pass --allow-software to run on it anyway.`);
  return 1;
}

main().then(
  // dawn.node keeps the event loop alive.
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`adapter check failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
