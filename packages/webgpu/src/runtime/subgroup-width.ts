import { SHARED_LOAD_WIDTH } from '../codegen/subgroup-loads.js';

/**
 * The subgroup width kernels may rely on to share loads (codegen/subgroup-loads.ts), or
 * undefined. A device qualifies when it has the `subgroups` feature, its adapter reports one
 * fixed width equal to SHARED_LOAD_WIDTH, and a probe dispatch shows that in a 64-thread
 * workgroup every subgroup is that wide and made of consecutive invocations starting at a
 * multiple of the width (lane = local index mod width): WebGPU does not promise that layout, and
 * the register-blocked matmul depends on it. Checked once per device (one tiny pipeline).
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

/** Invocations of the probe's workgroup: the largest workgroup the sharing kernels use. */
const PROBE_THREADS = 64;

const PROBE_WGSL = [
  'enable subgroups;',
  '@group(0) @binding(0) var<storage, read_write> seen: array<u32>;',
  `@compute @workgroup_size(${PROBE_THREADS})`,
  'fn main(@builtin(local_invocation_index) lid: u32, @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) width: u32) {',
  `  seen[3u * lid] = lane;`,
  `  seen[3u * lid + 1u] = width;`,
  `  seen[3u * lid + 2u] = subgroupBroadcast(lid, 0u);`,
  '}',
].join('\n');

async function probe(device: GPUDevice): Promise<number | undefined> {
  if (!device.features.has('subgroups')) return undefined;
  const info = (device as { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
  if (info?.subgroupMinSize !== SHARED_LOAD_WIDTH || info.subgroupMaxSize !== SHARED_LOAD_WIDTH) return undefined;
  const bytes = 3 * 4 * PROBE_THREADS;
  const seen = device.createBuffer({ size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    // A device that rejects the probe just does without; its error must not reach the uncaptured-error log.
    device.pushErrorScope('validation');
    const pending = device.createComputePipelineAsync({ layout: 'auto', compute: { module: device.createShaderModule({ code: PROBE_WGSL }), entryPoint: 'main' } });
    const rejected = await device.popErrorScope();
    const pipeline = await pending;
    if (rejected !== null) return undefined;
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: seen } }] }));
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(seen, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const words = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return consecutiveSubgroups(words, SHARED_LOAD_WIDTH) ? SHARED_LOAD_WIDTH : undefined;
  } finally {
    seen.destroy();
    staging.destroy();
  }
}

/** Whether probe output (lane, width, first lane's index per invocation) shows subgroups of `width` consecutive invocations aligned to it. */
export function consecutiveSubgroups(words: Uint32Array, width: number): boolean {
  for (let lid = 0; 3 * lid + 2 < words.length; lid++) {
    const [lane, seenWidth, first] = [words[3 * lid], words[3 * lid + 1], words[3 * lid + 2]];
    if (lane !== lid % width || seenWidth !== width || first !== lid - (lid % width)) return false;
  }
  return words.length >= 3 * width;
}
