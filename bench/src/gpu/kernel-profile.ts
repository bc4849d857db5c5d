import { tensorBindings, type Executable, type KernelStep, type Step } from '@spikeflow/webgpu';
import { row, type Row, type Sizes } from '../harness/row.js';
import { encodeDispatches, rawKernel, storageBuffer, submitAndWait } from './raw-kernel.js';

/** Where the time of one executable call goes, kernel by kernel. */
export interface KernelTime {
  readonly label: string;
  readonly kind: string;
  /** Dispatches of this kernel per call (T for a kernel inside a step loop). */
  readonly dispatches: number;
  /** First dispatch alone: lavapipe compiles the shader there. */
  readonly firstMs: number;
  /** Steady-state time of one dispatch. */
  readonly msPerDispatch: number;
  /** msPerDispatch x dispatches. */
  readonly msPerCall: number;
  /** Bytes of the buffers it binds (what it must at least read or write). */
  readonly boundBytes: number;
}

function kernelSteps(steps: readonly Step[], times: number, out: { step: KernelStep; times: number }[]): void {
  for (const s of steps) {
    if (s.kind === 'kernel') out.push({ step: s, times });
    else if (s.kind === 'loop') kernelSteps(s.body, times * s.times.length, out);
  }
}

const bytesOf = (shape: readonly number[]) => 4 * shape.reduce((n, d) => n * d, 1);

/** A kernel's size table (its last binding, after the step's args; see KernelSizes), or undefined when it reads none. */
function sizeTable(device: GPUDevice, sizes: readonly number[]): GPUBuffer | undefined {
  if (sizes.length === 0) return undefined;
  const buffer = device.createBuffer({ size: 4 * sizes.length, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST, label: 'profile sizes' });
  device.queue.writeBuffer(buffer, 0, new Uint32Array(sizes));
  return buffer;
}

/**
 * Times each kernel of a compiled program alone, on buffers of its own (zero-filled: spikeflow's
 * kernels do not branch on data, so their cost does not depend on the values; the one exception,
 * the zero-skipping spike matmul, shows its floor on zeros), with `repeat`
 * back-to-back dispatches between two waits. The executable's plan is reused as is: its slots
 * are the buffers, so the bindings are exactly the executable's.
 */
export async function profileKernels(device: GPUDevice, exe: Executable, repeat = 5): Promise<KernelTime[]> {
  const { program } = exe;
  const buffers = program.slotBytes.map((bytes, k) => storageBuffer(device, bytes, `profile${k}`));
  const uniform = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  const steps: { step: KernelStep; times: number }[] = [];
  kernelSteps(program.steps, 1, steps);
  const results: KernelTime[] = [];
  for (const { step, times } of steps) {
    const { source } = step;
    const kernel = await rawKernel(device, source.code, source.bindings.map((b) => b.access), source.usesStep);
    const table = sizeTable(device, source.sizes ?? []);
    const group0 = device.createBindGroup({
      layout: kernel.layout0,
      entries: [
        ...step.args.map((value, binding) => ({ binding, resource: { buffer: buffers[program.slots.get(value)!]! } })),
        ...(table === undefined ? [] : [{ binding: step.args.length, resource: { buffer: table } }]),
      ],
    });
    const group1 = kernel.layout1 && device.createBindGroup({ layout: kernel.layout1, entries: [{ binding: 0, resource: { buffer: uniform, size: 4 } }] });
    const run = async (n: number) => {
      const encoder = device.createCommandEncoder();
      encodeDispatches(encoder, kernel, group0, source.workgroups, n, group1);
      const start = performance.now();
      await submitAndWait(device, encoder);
      return performance.now() - start;
    };
    const firstMs = await run(1);
    const msPerDispatch = (await run(repeat)) / repeat;
    results.push({
      label: source.label,
      kind: source.kind,
      dispatches: times,
      firstMs,
      msPerDispatch,
      msPerCall: msPerDispatch * times,
      boundBytes: tensorBindings(source).reduce((n, b) => n + bytesOf(b.type.shape), 0),
    });
    table?.destroy();
  }
  for (const b of buffers) b.destroy();
  uniform.destroy();
  return results;
}

/** Profile rows of one executable: workload `<workload> kernels`, one row per kernel, with its share of the sum. */
export function kernelRows(workload: string, device: string, sizes: Sizes, kernels: readonly KernelTime[]): Row[] {
  const total = kernels.reduce((sum, k) => sum + k.msPerCall, 0);
  return kernels.map((k) =>
    row(`${workload} kernels`, 'spikeflow', device, sizes, undefined, {
      kernel: k.label,
      kind: k.kind,
      dispatches: k.dispatches,
      ms_per_call: k.msPerCall,
      share: total > 0 ? k.msPerCall / total : 0,
      first_dispatch_ms: k.firstMs,
      bound_bytes: k.boundBytes,
    }),
  );
}
