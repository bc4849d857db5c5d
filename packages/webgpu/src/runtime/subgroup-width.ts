import { SHARED_LOAD_WIDTH, SHARED_LOAD_WORKGROUP } from '../codegen/subgroup-loads.js';

/**
 * The subgroup width kernels may rely on to share loads (codegen/subgroup-loads.ts), or
 * undefined. A device qualifies when it has the `subgroups` feature, its adapter reports one
 * fixed width equal to SHARED_LOAD_WIDTH, and a probe dispatch shows that in a workgroup of
 * SHARED_LOAD_WORKGROUP threads (the only size the sharing kernels use) every subgroup is that
 * wide and made of consecutive invocations starting at a multiple of the width (lane = local
 * index mod width): WebGPU does not promise that layout, and the register-blocked matmul depends
 * on it. Checked once per device (one tiny pipeline).
 */
export function verifiedSubgroupSize(device: GPUDevice): Promise<number | undefined> {
  let verdict = verdicts.get(device);
  if (verdict === undefined) {
    verdict = probe(device).catch(() => undefined);
    verdicts.set(device, verdict);
  }
  return verdict;
}

const verdicts = new WeakMap<GPUDevice, Promise<number | undefined>>();

/** The one subgroup width the adapter reports, or undefined where it reports a range or nothing. */
export function fixedSubgroupWidth(device: GPUDevice): number | undefined {
  const info = (device as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  return info?.subgroupMinSize !== undefined && info.subgroupMinSize === info.subgroupMaxSize ? info.subgroupMinSize : undefined;
}

const PROBE_WGSL = [
  'enable subgroups;',
  '@group(0) @binding(0) var<storage, read_write> seen: array<u32>;',
  `@compute @workgroup_size(${SHARED_LOAD_WORKGROUP})`,
  'fn main(@builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) width: u32) {',
  `  seen[3u * lid] = lane;`,
  `  seen[3u * lid + 1u] = width;`,
  `  seen[3u * lid + 2u] = subgroupBroadcast(lid, 0u);`,
  '}',
].join('\n');

async function probe(device: GPUDevice): Promise<number | undefined> {
  if (!device.features.has('subgroups') || fixedSubgroupWidth(device) !== SHARED_LOAD_WIDTH) return undefined;
  const pipeline = await probePipeline(device);
  if (pipeline === undefined) return undefined;
  const bytes = 3 * 4 * SHARED_LOAD_WORKGROUP;
  // The usage and map-mode values written out, as elsewhere in runtime/: not every WebGPU host
  // defines the GPUBufferUsage and GPUMapMode globals.
  const seen = device.createBuffer({ size: bytes, usage: 0x80 | 0x04 }); // STORAGE | COPY_SRC
  const staging = device.createBuffer({ size: bytes, usage: 0x01 | 0x08 }); // MAP_READ | COPY_DST
  try {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: seen } }] }));
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(seen, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(0x0001); // GPUMapMode.READ
    const words = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return consecutiveSubgroups(words, SHARED_LOAD_WIDTH) ? SHARED_LOAD_WIDTH : undefined;
  } finally {
    seen.destroy();
    staging.destroy();
  }
}

/**
 * The probe's pipeline, or undefined where the device rejects it: the device then just does
 * without, and the rejection reaches neither the uncaptured-error log nor an unhandled rejection.
 */
async function probePipeline(device: GPUDevice): Promise<GPUComputePipeline | undefined> {
  device.pushErrorScope('validation');
  let pending: Promise<GPUComputePipeline | undefined>;
  try {
    const module = device.createShaderModule({ code: PROBE_WGSL });
    pending = device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } }).catch(() => undefined);
  } catch {
    pending = Promise.resolve(undefined);
  }
  const [error, pipeline] = await Promise.all([device.popErrorScope(), pending]);
  return error === null ? pipeline : undefined;
}

/** Whether probe output (lane, width, first lane's index per invocation) shows subgroups of `width` consecutive invocations aligned to it. */
export function consecutiveSubgroups(words: Uint32Array, width: number): boolean {
  for (let lid = 0; 3 * lid + 2 < words.length; lid++) {
    const [lane, seenWidth, first] = [words[3 * lid], words[3 * lid + 1], words[3 * lid + 2]];
    if (lane !== lid % width || seenWidth !== width || first !== lid - (lid % width)) return false;
  }
  return words.length >= 3 * width;
}
