/**
 * Hand-made compute pipelines for WGSL the bench writes itself (the reference matmul and copy)
 * or lifts out of a compiled program to time one kernel alone. Bindings are storage buffers in
 * group 0, in order; an optional uniform with a dynamic offset in group 1 (a scan step's t).
 */
export interface RawKernel {
  readonly pipeline: GPUComputePipeline;
  readonly layout0: GPUBindGroupLayout;
  readonly layout1: GPUBindGroupLayout | undefined;
}

export async function rawKernel(device: GPUDevice, code: string, access: readonly ('read' | 'read_write')[], usesUniform = false): Promise<RawKernel> {
  const layout0 = device.createBindGroupLayout({
    entries: access.map((a, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: a === 'read' ? 'read-only-storage' : 'storage' } })),
  });
  const layout1 = usesUniform
    ? device.createBindGroupLayout({ entries: [{ binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true } }] })
    : undefined;
  device.pushErrorScope('validation');
  const pipeline = await device.createComputePipelineAsync({
    layout: device.createPipelineLayout({ bindGroupLayouts: layout1 ? [layout0, layout1] : [layout0] }),
    compute: { module: device.createShaderModule({ code }), entryPoint: 'main' },
  });
  const error = await device.popErrorScope();
  if (error !== null) throw new Error(`bench kernel rejected by the device: ${error.message}`);
  return { pipeline, layout0, layout1 };
}

/** A storage buffer (readable back through a copy). */
export function storageBuffer(device: GPUDevice, bytes: number, label?: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, ...(label ? { label } : {}) });
}

/** Encodes `times` dispatches of one kernel in one compute pass. */
export function encodeDispatches(
  encoder: GPUCommandEncoder,
  kernel: RawKernel,
  group0: GPUBindGroup,
  workgroups: readonly [number, number, number],
  times: number,
  group1?: GPUBindGroup,
): void {
  const pass = encoder.beginComputePass();
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, group0);
  if (group1 !== undefined) pass.setBindGroup(1, group1, [0]);
  for (let k = 0; k < times; k++) pass.dispatchWorkgroups(...workgroups);
  pass.end();
}

/** Submits and waits until the queue has finished everything submitted so far. */
export async function submitAndWait(device: GPUDevice, encoder: GPUCommandEncoder): Promise<void> {
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/** Reads a buffer back (a blocking readback: it waits for all work queued before it). */
export async function readBack(device: GPUDevice, buffer: GPUBuffer, bytes: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
