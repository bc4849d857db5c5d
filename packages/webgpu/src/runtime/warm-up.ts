/**
 * One dispatch of a new pipeline on scratch buffers, so that it is compiled for the device when
 * `compile` returns. Mesa's lavapipe (the software GPU) creates pipelines in milliseconds and
 * generates the machine code at a pipeline's first dispatch instead, one kernel after another on
 * its queue thread: without this the whole compile would happen, unreported, in the first step.
 * The scratch buffers are small; the generated kernels' reads and writes are bounds-checked by
 * WebGPU, so they stay inside them.
 */
const SCRATCH_BYTES = 256;

/** The pipeline and the layouts of its bind groups: its storage buffers, and the loop-step uniform if it uses one. */
export interface WarmUpTarget {
  readonly pipeline: GPUComputePipeline;
  readonly layout0: GPUBindGroupLayout;
  readonly storageBuffers: number;
  readonly layout1: GPUBindGroupLayout | undefined;
}

export async function warmUp(device: GPUDevice, target: WarmUpTarget): Promise<void> {
  const scratch: GPUBuffer[] = [];
  const buffer = (usage: number): GPUBuffer => {
    const b = device.createBuffer({ size: SCRATCH_BYTES, usage, label: 'warm-up scratch' });
    scratch.push(b);
    return b;
  };
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder({ label: 'warm-up' });
  const pass = encoder.beginComputePass();
  pass.setPipeline(target.pipeline);
  const storage = Array.from({ length: target.storageBuffers }, (_, i) => ({ binding: i, resource: { buffer: buffer(0x80) } })); // STORAGE
  pass.setBindGroup(0, device.createBindGroup({ layout: target.layout0, entries: storage }));
  if (target.layout1 !== undefined) {
    const step = device.createBindGroup({ layout: target.layout1, entries: [{ binding: 0, resource: { buffer: buffer(0x40), size: 4 } }] }); // UNIFORM
    pass.setBindGroup(1, step, [0]);
  }
  pass.dispatchWorkgroups(1);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const scope = device.popErrorScope();
  try {
    await device.queue.onSubmittedWorkDone();
    const error = await scope;
    if (error !== null) throw new Error(`internal: the warm-up dispatch of a new pipeline was rejected: ${error.message}`);
  } finally {
    for (const b of scratch) b.destroy();
  }
}
