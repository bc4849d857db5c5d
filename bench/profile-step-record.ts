/**
 * Helper of profile-step.ts: records the commands an Executable encodes for one call, without
 * touching the runtime, by shadowing `device.createCommandEncoder` on the device object for the
 * duration of the call, then replays them dispatch by dispatch under two clocks:
 *
 * - GPU timestamps (`timestamp-query`): the whole recorded stream in ONE command buffer, each
 *   dispatch in a compute pass of its own whose beginning and end write a timestamp. Nothing but
 *   the pass split differs from the real step (Dawn already puts a barrier between dispatches).
 * - Wall clock per submit: each dispatch alone in a command buffer of its own, submitted and
 *   awaited through `queue.onSubmittedWorkDone()`; includes the submit/wait round trip, which is
 *   measured separately (an empty submit) so it can be subtracted.
 *
 * Replaying the stream repeats everything the step does, in order: the optimizer's in-place
 * updates included, so each replay is one more training step on the same batch.
 */

/** One recorded command: a dispatch with the state it was encoded with, or a buffer copy. */
export type RecordedOp =
  | {
      readonly kind: 'dispatch';
      readonly pipeline: GPUComputePipeline;
      readonly groups: readonly { readonly index: number; readonly group: GPUBindGroup; readonly offsets: readonly number[] | undefined }[];
      readonly workgroups: readonly [number, number, number];
    }
  | { readonly kind: 'copy'; readonly src: GPUBuffer; readonly srcOffset: number; readonly dst: GPUBuffer; readonly dstOffset: number; readonly size: number };

/** Runs `body` with every command encoder the device creates recording what is encoded into it (and still encoding it). */
export async function recordCommands<T>(device: GPUDevice, body: () => T | Promise<T>): Promise<{ result: T; ops: RecordedOp[] }> {
  const ops: RecordedOp[] = [];
  const original = device.createCommandEncoder;
  const shadow = (descriptor?: GPUCommandEncoderDescriptor) => recordingEncoder(original.call(device, descriptor), ops);
  Object.defineProperty(device, 'createCommandEncoder', { value: shadow, configurable: true, writable: true });
  if (device.createCommandEncoder !== shadow) throw new Error('profile-step: cannot shadow device.createCommandEncoder on this WebGPU implementation');
  try {
    return { result: await body(), ops };
  } finally {
    delete (device as unknown as Record<string, unknown>).createCommandEncoder;
  }
}

/** An encoder exposing what Executable uses (compute passes, buffer copies, finish), forwarding to `real`. */
function recordingEncoder(real: GPUCommandEncoder, ops: RecordedOp[]): GPUCommandEncoder {
  const encoder = {
    beginComputePass(descriptor?: GPUComputePassDescriptor): GPUComputePassEncoder {
      const pass = real.beginComputePass(descriptor);
      let pipeline: GPUComputePipeline | undefined;
      const groups = new Map<number, { group: GPUBindGroup; offsets: readonly number[] | undefined }>();
      const recording = {
        setPipeline(p: GPUComputePipeline) {
          pass.setPipeline(p);
          pipeline = p;
        },
        setBindGroup(index: number, group: GPUBindGroup, offsets?: Iterable<number>) {
          const list = offsets === undefined ? undefined : [...offsets];
          if (list === undefined) pass.setBindGroup(index, group);
          else pass.setBindGroup(index, group, list);
          groups.set(index, { group, offsets: list });
        },
        dispatchWorkgroups(x: number, y = 1, z = 1) {
          pass.dispatchWorkgroups(x, y, z);
          if (pipeline === undefined) throw new Error('profile-step: dispatch without a pipeline');
          ops.push({ kind: 'dispatch', pipeline, groups: [...groups].map(([index, g]) => ({ index, ...g })), workgroups: [x, y, z] });
        },
        end() {
          pass.end();
        },
      };
      return recording as unknown as GPUComputePassEncoder;
    },
    copyBufferToBuffer(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number) {
      real.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
      ops.push({ kind: 'copy', src, srcOffset, dst, dstOffset, size });
    },
    finish(descriptor?: GPUCommandBufferDescriptor) {
      return real.finish(descriptor);
    },
  };
  return encoder as unknown as GPUCommandEncoder;
}

function encodeOp(encoder: GPUCommandEncoder, op: RecordedOp, timestampWrites?: GPUComputePassTimestampWrites): void {
  if (op.kind === 'copy') {
    encoder.copyBufferToBuffer(op.src, op.srcOffset, op.dst, op.dstOffset, op.size);
    return;
  }
  const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : undefined);
  pass.setPipeline(op.pipeline);
  for (const g of op.groups) {
    if (g.offsets === undefined) pass.setBindGroup(g.index, g.group);
    else pass.setBindGroup(g.index, g.group, g.offsets);
  }
  pass.dispatchWorkgroups(...op.workgroups);
  pass.end();
}

/** Query sets hold at most 4096 queries: two per dispatch. */
const DISPATCHES_PER_QUERY_SET = 2048;

/**
 * One replay of the whole stream in one submit, a timestamp pair around each dispatch.
 * Returns per-op GPU ms (copies: NaN, not timed), per dispatch the ms from the previous
 * dispatch's end stamp to its begin stamp (the copies in between, barriers, the runtime's work
 * between dispatches), and the wall ms of the submit.
 */
export async function replayWithTimestamps(device: GPUDevice, ops: readonly RecordedOp[]): Promise<{ opMs: number[]; gapMs: number[]; wallMs: number; spanMs: number }> {
  const dispatchIndex: number[] = [];
  ops.forEach((op, i) => op.kind === 'dispatch' && dispatchIndex.push(i));
  const sets: GPUQuerySet[] = [];
  for (let k = 0; k < dispatchIndex.length; k += DISPATCHES_PER_QUERY_SET) {
    sets.push(device.createQuerySet({ type: 'timestamp', count: 2 * Math.min(DISPATCHES_PER_QUERY_SET, dispatchIndex.length - k) }));
  }
  const bytes = 16 * dispatchIndex.length;
  const resolve = device.createBuffer({ size: Math.max(8, bytes), usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ size: Math.max(8, bytes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  let d = 0;
  for (const op of ops) {
    if (op.kind === 'dispatch') {
      const set = sets[Math.floor(d / DISPATCHES_PER_QUERY_SET)]!;
      const q = 2 * (d % DISPATCHES_PER_QUERY_SET);
      encodeOp(encoder, op, { querySet: set, beginningOfPassWriteIndex: q, endOfPassWriteIndex: q + 1 });
      d++;
    } else encodeOp(encoder, op);
  }
  sets.forEach((set, k) => encoder.resolveQuerySet(set, 0, set.count, resolve, 16 * k * DISPATCHES_PER_QUERY_SET));
  encoder.copyBufferToBuffer(resolve, 0, staging, 0, Math.max(8, bytes));
  const commands = encoder.finish();
  const start = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  const wallMs = performance.now() - start;
  await staging.mapAsync(GPUMapMode.READ);
  const stamps = new BigUint64Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  resolve.destroy();
  for (const s of sets) s.destroy();
  const opMs = ops.map(() => Number.NaN);
  const gapMs = ops.map(() => Number.NaN);
  dispatchIndex.forEach((i, k) => {
    opMs[i] = Number(stamps[2 * k + 1]! - stamps[2 * k]!) / 1e6;
    gapMs[i] = k === 0 ? 0 : Number(stamps[2 * k]! - stamps[2 * k - 1]!) / 1e6;
  });
  const spanMs = dispatchIndex.length === 0 ? 0 : Number(stamps[2 * dispatchIndex.length - 1]! - stamps[0]!) / 1e6;
  return { opMs, gapMs, wallMs, spanMs };
}

/** One replay with every op in a submit of its own, awaited: wall ms per op (copies included). */
export async function replayEachSubmitted(device: GPUDevice, ops: readonly RecordedOp[]): Promise<number[]> {
  const out: number[] = [];
  for (const op of ops) {
    const encoder = device.createCommandEncoder();
    encodeOp(encoder, op);
    const commands = encoder.finish();
    const start = performance.now();
    device.queue.submit([commands]);
    await device.queue.onSubmittedWorkDone();
    out.push(performance.now() - start);
  }
  return out;
}

/** One replay of the whole stream in one submit (what a step costs without timestamps). */
export async function replayAll(device: GPUDevice, ops: readonly RecordedOp[]): Promise<number> {
  const encoder = device.createCommandEncoder();
  for (const op of ops) encodeOp(encoder, op);
  const commands = encoder.finish();
  const start = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}

/** The round trip of an empty submit awaited through onSubmittedWorkDone. */
export async function emptySubmitMs(device: GPUDevice): Promise<number> {
  const commands = device.createCommandEncoder().finish();
  const start = performance.now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return performance.now() - start;
}
