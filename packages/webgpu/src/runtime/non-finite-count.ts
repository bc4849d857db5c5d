import { fail } from '@spikeflow/core';

/** One f32 buffer to count in: its first `length` values. */
export interface CountedBuffer {
  readonly buffer: GPUBuffer;
  readonly length: number;
}

const WORKGROUP = 256;
/** Enough workgroups to keep a GPU busy; each invocation strides over the rest. */
const MAX_WORKGROUPS = 256;

/**
 * Counts the NaN and infinite values of one buffer into counts[index]. The test is on the bits (all
 * exponent bits set), which no shader compiler may fold away as it may fold `x != x`. Each
 * invocation adds its own count with one atomic, and only when it found something.
 */
const COUNT_WGSL = /* wgsl */ `
struct Range { index: u32, length: u32 }
@group(0) @binding(0) var<storage, read> values: array<u32>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> range: Range;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * ${WORKGROUP}u;
  var found = 0u;
  for (var i = gid.x; i < range.length; i += stride) {
    found += select(0u, 1u, (values[i] & 0x7f800000u) == 0x7f800000u);
  }
  if (found > 0u) {
    atomicAdd(&counts[range.index], found);
  }
}
`;

interface CountPipeline {
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
}

const pipelines = new WeakMap<GPUDevice, Promise<CountPipeline>>();

function countPipeline(device: GPUDevice): Promise<CountPipeline> {
  let hit = pipelines.get(device);
  if (hit === undefined) {
    const layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
        { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform' } },
      ],
    });
    hit = device
      .createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: device.createShaderModule({ code: COUNT_WGSL, label: 'non-finite count' }), entryPoint: 'main' },
      })
      .then((pipeline) => ({ pipeline, layout }));
    pipelines.set(device, hit);
    hit.catch(() => pipelines.delete(device));
  }
  return hit;
}

/**
 * A count of non-finite values over a fixed list of buffers (e.g. a training step's params and
 * optimizer slots): one dispatch per buffer into one small counts buffer, then only the counts
 * (4 bytes per buffer) are read back. The bind groups are made once; a count is one submission.
 */
export class NonFiniteCounter {
  private constructor(
    private readonly device: GPUDevice,
    private readonly pipeline: GPUComputePipeline,
    private readonly groups: readonly { group: GPUBindGroup; workgroups: number }[],
    private readonly counts: GPUBuffer,
    private readonly ranges: GPUBuffer,
  ) {}

  static async create(device: GPUDevice, buffers: readonly CountedBuffer[]): Promise<NonFiniteCounter> {
    const { pipeline, layout } = await countPipeline(device);
    const stride = device.limits.minUniformBufferOffsetAlignment;
    const counts = device.createBuffer({ size: 4 * Math.max(1, buffers.length), usage: 0x80 | 0x04 | 0x08, label: 'non-finite counts' }); // STORAGE | COPY_SRC | COPY_DST
    const ranges = device.createBuffer({ size: stride * Math.max(1, buffers.length), usage: 0x40 | 0x08, label: 'non-finite ranges' }); // UNIFORM | COPY_DST
    const data = new Uint32Array((stride / 4) * Math.max(1, buffers.length));
    buffers.forEach((b, k) => data.set([k, b.length], (k * stride) / 4));
    device.queue.writeBuffer(ranges, 0, data);
    const groups = buffers.map((b, k) => ({
      group: device.createBindGroup({
        layout,
        entries: [
          { binding: 0, resource: { buffer: b.buffer } },
          { binding: 1, resource: { buffer: counts } },
          { binding: 2, resource: { buffer: ranges, offset: k * stride, size: 8 } },
        ],
      }),
      workgroups: Math.max(1, Math.min(MAX_WORKGROUPS, Math.ceil(b.length / WORKGROUP))),
    }));
    return new NonFiniteCounter(device, pipeline, groups, counts, ranges);
  }

  /** The count of each buffer, in the order given at creation. `lost` fails the read when the device is lost. */
  async count(lost?: Promise<unknown>): Promise<number[]> {
    const encoder = this.device.createCommandEncoder();
    encoder.clearBuffer(this.counts);
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline);
    for (const { group, workgroups } of this.groups) {
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(workgroups);
    }
    pass.end();
    const read = this.device.createBuffer({ size: this.counts.size, usage: 0x01 | 0x08 }); // MAP_READ | COPY_DST
    encoder.copyBufferToBuffer(this.counts, 0, read, 0, this.counts.size);
    this.device.queue.submit([encoder.finish()]);
    const failed = lost?.then(() => fail('device', 'non-finite count', 'the GPU device was lost while counting non-finite values'));
    failed?.catch(() => undefined); // observed through the race below; never an unhandled rejection
    const mapped = read.mapAsync(0x0001); // GPUMapMode.READ
    await (failed === undefined ? mapped : Promise.race([mapped, failed]));
    const result = Array.from(new Uint32Array(read.getMappedRange().slice(0))).slice(0, this.groups.length);
    read.unmap();
    read.destroy();
    return result;
  }

  destroy(): void {
    this.counts.destroy();
    this.ranges.destroy();
  }
}
