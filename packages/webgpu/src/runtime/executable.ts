import { checkNamedFeeds, fail, initParams, type NamedLeaf, initialValue, outputNode, sizeOf, type FeedValue, type Graph, type HostTensor, type NodeId, type TensorType } from '@spikeflow/core';
import { compileLimitsOf, compileProgram, type ProgramOptions } from '../compiler/compile.js';
import { verifiedSubgroupSize } from './subgroup-width.js';
import type { KernelStep, Program, Step } from '../compiler/program.js';
import { checkedToGpu, feedToGpu, gpuArray, hostFromGpu } from './host-data.js';
import { NonFiniteCounter } from './non-finite-count.js';
import type { CompileProgressCallback } from './compile-progress.js';
import { compiledKernels, type CompiledKernel } from './pipelines.js';
import { packSpikeFeed } from '../spike-packing/pack-feed.js';

export interface DeviceHandle {
  readonly device: GPUDevice;
  /** Rejects (or resolves) when the device is lost; pending reads fail instead of hanging. */
  readonly lost?: Promise<unknown>;
}

export interface CompileOptions extends ProgramOptions {
  /** Print (or pass to this function) every generated kernel's WGSL with its label. */
  readonly debug?: boolean | ((label: string, wgsl: string) => void);
  /** Seed for the params' initializers (their first values on the GPU). */
  readonly seed?: number;
  /** Hears how many of the graph's unique pipelines are compiled, before the first and as each finishes. */
  readonly onCompileProgress?: CompileProgressCallback;
}

export interface KernelStats {
  readonly label: string;
  readonly kind: string;
  readonly nodes: number;
  /** Dispatches of this kernel per call (T for a kernel inside a step loop). */
  readonly dispatches: number;
}

export interface ExecutableStats {
  /** Dispatches one call encodes. */
  readonly dispatches: number;
  readonly kernels: readonly KernelStats[];
  readonly plannedPeakBytes: number;
  readonly unsharedBytes: number;
  readonly residentBytes: number;
  /** Bytes of the spike trains kept across other work, as stored (see MemoryStats). */
  readonly savedSpikeBytes: number;
  readonly copies: number;
}

interface Encoded {
  readonly step: KernelStep;
  readonly kernel: CompiledKernel;
  readonly group0: GPUBindGroup;
  readonly group1: GPUBindGroup | undefined;
}

const STORAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST (the GPUBufferUsage values)

function statsOf(program: Program): ExecutableStats {
  const kernels: KernelStats[] = [];
  let copies = 0;
  const walk = (steps: readonly Step[], times: number) => {
    for (const s of steps) {
      if (s.kind === 'kernel') kernels.push({ label: s.source.label, kind: s.source.kind, nodes: s.nodes.length, dispatches: times });
      else if (s.kind === 'copy') copies += times;
      else walk(s.body, times * s.times.length);
    }
  };
  walk(program.steps, 1);
  return { dispatches: kernels.reduce((n, k) => n + k.dispatches, 0), kernels, copies, ...program.memory };
}

/**
 * A compiled graph on one device: its buffers, pipelines and bind groups are made once; each call
 * writes the inputs, encodes every dispatch into ONE command buffer and submits it. Params and
 * state stay on the GPU between calls.
 */
export class Executable {
  readonly stats: ExecutableStats;
  private readonly buffers: GPUBuffer[];
  private readonly encoded = new Map<KernelStep, Encoded>();
  private readonly loopUniforms = new Map<Step, GPUBuffer>();
  /** Every kernel's size table, one region each (see KernelSizes); written once, at creation. */
  private sizeTables: GPUBuffer | undefined;
  private readonly uniformStride: number;
  private destroyed = false;
  /** Counters of non-finite values, one per list of state names asked about (usually one list). */
  private readonly counters = new Map<string, Promise<NonFiniteCounter>>();
  /** Seed of the param and state initializers. */
  private seed = 0;
  /** Error scopes of this executable's submissions not yet resolved, and the first error they held. */
  private readonly openScopes = new Set<Promise<void>>();
  private gpuError: string | undefined;

  private constructor(
    private readonly handle: DeviceHandle,
    readonly program: Program,
    private readonly graph: Graph,
  ) {
    const { device } = handle;
    this.stats = statsOf(program);
    this.uniformStride = device.limits.minUniformBufferOffsetAlignment;
    this.buffers = program.slotBytes.map((bytes, k) => device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: STORAGE, label: `slot${k}` }));
  }

  /** Compiles `graph` for `handle.device`: every limit is checked and every pipeline created before the first call. */
  static async create(graph: Graph, handle: DeviceHandle, options: CompileOptions = {}): Promise<Executable> {
    const { device } = handle;
    const program = compileProgram(graph, compileLimitsOf(device.limits, await verifiedSubgroupSize(device)), options);
    const exe = new Executable(handle, program, graph);
    await exe.prepare(options);
    return exe;
  }

  private bufferOf(value: NodeId): GPUBuffer {
    const slot = this.program.slots.get(value);
    if (slot === undefined) throw new Error(`internal: value '${value}' has no buffer`);
    return this.buffers[slot]!;
  }

  private async prepare(options: CompileOptions): Promise<void> {
    const { device } = this.handle;
    const kernelSteps: { step: KernelStep; loop: Step | undefined }[] = [];
    const collect = (steps: readonly Step[], loop: Step | undefined) => {
      for (const s of steps) {
        if (s.kind === 'kernel') kernelSteps.push({ step: s, loop });
        else if (s.kind === 'loop') {
          const uniform = device.createBuffer({ size: this.uniformStride * s.times.length, usage: 0x40 | 0x08, label: s.label }); // UNIFORM | COPY_DST
          const data = new Uint32Array((this.uniformStride / 4) * s.times.length);
          s.times.forEach((t, j) => (data[(j * this.uniformStride) / 4] = t));
          device.queue.writeBuffer(uniform, 0, data);
          this.loopUniforms.set(s, uniform);
          collect(s.body, s);
        }
      }
    };
    collect(this.program.steps, undefined);
    const debug = options.debug === true ? (label: string, wgsl: string) => console.log(`// ${label}\n${wgsl}`) : options.debug || undefined;
    const kernels = await compiledKernels(device, kernelSteps.map(({ step }) => step.source), options.onCompileProgress);
    const sizeTables = this.writeSizeTables(kernelSteps.map(({ step }) => step));
    kernelSteps.forEach(({ step, loop }, k) => {
      debug?.(step.source.label, step.source.code);
      const kernel = kernels[k]!;
      const table = sizeTables[k];
      const group0 = device.createBindGroup({
        layout: kernel.layout0,
        entries: [
          ...step.args.map((value, i) => ({ binding: i, resource: { buffer: this.bufferOf(value) } })),
          ...(table === undefined ? [] : [{ binding: step.args.length, resource: table }]),
        ],
      });
      const uniform = loop === undefined ? undefined : this.loopUniforms.get(loop);
      const group1 =
        kernel.layout1 === undefined || uniform === undefined
          ? undefined
          : device.createBindGroup({ layout: kernel.layout1, entries: [{ binding: 0, resource: { buffer: uniform, size: 4 } }] });
      this.encoded.set(step, { step, kernel, group0, group1 });
    });
    // Constants once; params and state from their initializers.
    for (const v of this.program.values.values()) {
      if (v.constant === undefined) continue;
      const data = gpuArray(v.type.dtype, v.bytes / 4);
      if (typeof v.constant === 'number') data.fill(v.constant);
      else data.set(v.constant);
      device.queue.writeBuffer(this.bufferOf(v.id), 0, data);
    }
    this.seed = options.seed ?? 0;
    this.setParams(initParams(this.graph, { seed: this.seed }));
    this.resetState();
  }

  /**
   * Writes every kernel's size table into one buffer, each at an offset the device can bind, and
   * returns each kernel's binding of its table (undefined for a kernel without one).
   */
  private writeSizeTables(steps: readonly KernelStep[]): (GPUBufferBinding | undefined)[] {
    const { device } = this.handle;
    const align = device.limits.minStorageBufferOffsetAlignment;
    let bytes = 0;
    const offsets = steps.map((step) => {
      const count = step.source.sizes?.length ?? 0;
      if (count === 0) return undefined;
      const offset = bytes;
      bytes += Math.ceil((count * 4) / align) * align;
      return offset;
    });
    if (bytes === 0) return steps.map(() => undefined);
    const data = new Uint32Array(bytes / 4);
    steps.forEach((step, k) => {
      const offset = offsets[k];
      if (offset !== undefined) data.set(step.source.sizes!, offset / 4);
    });
    const buffer = device.createBuffer({ size: bytes, usage: 0x80 | 0x08, label: 'kernel sizes' }); // STORAGE | COPY_DST
    device.queue.writeBuffer(buffer, 0, data);
    this.sizeTables = buffer;
    return steps.map((step, k) => {
      const offset = offsets[k];
      return offset === undefined ? undefined : { buffer, offset, size: step.source.sizes!.length * 4 };
    });
  }

  private writeValue(value: NodeId, data: FeedValue, field: string): void {
    const v = this.program.values.get(value)!;
    this.handle.device.queue.writeBuffer(this.bufferOf(value), 0, feedToGpu(data, v.type, field));
  }

  /** Uploads param values by name; every value is checked before any is written. */
  setParams(values: Readonly<Record<string, FeedValue>>): void {
    this.writeNamed('params', this.program.params, values, false);
  }

  /** Uploads state values by name (e.g. to resume from a checkpoint); every value is checked before any is written. */
  setState(values: Readonly<Record<string, FeedValue>>): void {
    this.writeNamed('state', this.program.state, values, false);
  }

  /** Sets every state to its initializer: a fresh episode. */
  resetState(): void {
    for (const s of this.program.state) {
      this.writeValue(s.value, initialValue(s.init, this.program.values.get(s.value)!.type, 'f32', s.name, this.seed), `state.${s.name}`);
    }
  }

  private encode(encoder: GPUCommandEncoder): number {
    let pass: GPUComputePassEncoder | undefined;
    let dispatches = 0;
    const walk = (steps: readonly Step[], offset: number) => {
      for (const s of steps) {
        if (s.kind === 'kernel') {
          const e = this.encoded.get(s)!;
          pass ??= encoder.beginComputePass();
          pass.setPipeline(e.kernel.pipeline);
          pass.setBindGroup(0, e.group0);
          if (e.group1 !== undefined) pass.setBindGroup(1, e.group1, [offset]);
          pass.dispatchWorkgroups(...s.source.workgroups);
          dispatches++;
        } else if (s.kind === 'copy') {
          pass?.end();
          pass = undefined;
          encoder.copyBufferToBuffer(this.bufferOf(s.from), 0, this.bufferOf(s.to), 0, s.bytes);
        } else {
          for (let j = 0; j < s.times.length; j++) walk(s.body, j * this.uniformStride);
        }
      }
    };
    walk(this.program.steps, 0);
    pass?.end();
    return dispatches;
  }

  /** Checks every named value against its leaf (core's checkNamedFeeds), then (only if all pass) uploads them all. */
  private writeNamed(kind: 'inputs' | 'params' | 'state', leaves: readonly NamedLeaf[], values: Readonly<Record<string, FeedValue>>, requireAll: boolean): void {
    const feeds = checkNamedFeeds(kind, leaves, values, requireAll, ({ value }) => {
      const v = this.program.values.get(value)!;
      return { type: v.type, spikes: kind === 'inputs' && v.packed === true };
    });
    for (const { value, type, spikes, gathered } of feeds) {
      this.handle.device.queue.writeBuffer(this.bufferOf(value), 0, spikes ? packSpikeFeed(gathered) : checkedToGpu(gathered, type.dtype));
    }
  }

  private writeInputs(inputs: Readonly<Record<string, FeedValue>>): void {
    this.writeNamed('inputs', this.program.inputs, inputs, true);
  }

  /** Runs one call without reading anything back (the step of a training loop). */
  submit(inputs: Readonly<Record<string, FeedValue>> = {}): void {
    this.assertAlive();
    this.scoped(() => {
      this.writeInputs(inputs);
      const encoder = this.handle.device.createCommandEncoder();
      this.encode(encoder);
      this.handle.device.queue.submit([encoder.finish()]);
    });
  }

  /** Runs one call and reads back the named outputs (all by default). */
  async run(inputs: Readonly<Record<string, FeedValue>> = {}, read?: readonly string[]): Promise<Record<string, HostTensor>> {
    this.assertAlive();
    const wanted = read ?? this.program.outputs.map((o) => o.name);
    const reads = wanted.map((name) => {
      const out = this.program.outputs.find((o) => o.name === name);
      if (out === undefined) fail('feed', `outputs.${name}`, 'the graph has no output of this name', this.program.outputs.map((o) => o.name).join(', '), name);
      return { name, value: out.value };
    });
    const results = await this.submitAndRead(
      reads.map((r) => r.value),
      (encoder) => {
        this.writeInputs(inputs);
        this.encode(encoder);
      },
    );
    // An output that is a view (e.g. a reshape) reads its source's buffer: give it the shape the graph declares.
    return Object.fromEntries(reads.map((r, k) => [r.name, { ...results[k]!, type: outputNode(this.graph, r.name)!.type as TensorType }]));
  }

  /** Reads the current values of the named state (all by default). */
  async readState(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    return this.readValues(this.program.state.filter((s) => names === undefined || names.includes(s.name)));
  }

  /** Reads the current param values. */
  async readParams(): Promise<Record<string, HostTensor>> {
    return this.readValues(this.program.params);
  }

  /**
   * How many NaN or infinite values each named f32 state holds, counted on the device: only one
   * count per state is read back, not the values.
   */
  async countNonFinite(names: readonly string[]): Promise<Record<string, number>> {
    this.assertAlive();
    const key = names.join('\u0000');
    let counter = this.counters.get(key);
    if (counter === undefined) {
      const known = new Map(this.program.state.map((s) => [s.name, s.value]));
      const buffers = names.map((name) => {
        const value = known.get(name);
        if (value === undefined) fail('feed', `state.${name}`, 'the graph has no state of this name', [...known.keys()].join(', ') || 'none', name);
        const v = this.program.values.get(value)!;
        if (v.type.dtype !== 'f32' || v.packed === true) fail('feed', `state.${name}`, 'only f32 state can hold non-finite values', 'an f32 state', v.type.dtype);
        return { buffer: this.bufferOf(value), length: sizeOf(v.type.shape) };
      });
      counter = NonFiniteCounter.create(this.handle.device, buffers);
      this.counters.set(key, counter);
      counter.catch(() => this.counters.delete(key));
    }
    const counts = await (await counter).count(this.handle.lost);
    return Object.fromEntries(names.map((name, k) => [name, counts[k]!]));
  }

  private async readValues(list: readonly { name: string; value: NodeId }[]): Promise<Record<string, HostTensor>> {
    this.assertAlive();
    const results = await this.submitAndRead(list.map((s) => s.value));
    return Object.fromEntries(list.map((s, k) => [s.name, results[k]!]));
  }

  /** One error-scoped submission: `work` (if any), then copies of `values` to staging buffers, read back. */
  private submitAndRead(values: readonly NodeId[], work?: (encoder: GPUCommandEncoder) => void): Promise<HostTensor[]> {
    const staged = this.scoped(() => {
      const encoder = this.handle.device.createCommandEncoder();
      work?.(encoder);
      const buffers = this.stage(encoder, values);
      this.handle.device.queue.submit([encoder.finish()]);
      return buffers;
    });
    return this.collect(staged);
  }

  private stage(encoder: GPUCommandEncoder, values: readonly NodeId[]): { buffer: GPUBuffer; value: NodeId }[] {
    return values.map((value) => {
      const v = this.program.values.get(value)!;
      const buffer = this.handle.device.createBuffer({ size: v.bytes, usage: 0x01 | 0x08 }); // MAP_READ | COPY_DST
      encoder.copyBufferToBuffer(this.bufferOf(value), 0, buffer, 0, v.bytes);
      return { buffer, value };
    });
  }

  private async collect(staged: { buffer: GPUBuffer; value: NodeId }[]): Promise<HostTensor[]> {
    const lost = this.handle.lost?.then(() => fail('device', 'executable', 'the GPU device was lost while reading results'));
    lost?.catch(() => undefined); // observed through the race below; never an unhandled rejection
    const maps = Promise.all(staged.map((s) => s.buffer.mapAsync(0x0001))); // GPUMapMode.READ
    await (lost === undefined ? maps : Promise.race([maps, lost]));
    await this.expectNoGpuError();
    return staged.map((s) => {
      const host = hostFromGpu(s.buffer.getMappedRange().slice(0), this.program.values.get(s.value)!.type);
      s.buffer.unmap();
      s.buffer.destroy();
      return host;
    });
  }

  /**
   * Runs `work` (writes, encoding, a submission) inside a validation error scope. A validation
   * error in this executable's own work would otherwise leave its outputs silently unwritten (read
   * back as zeros); this way the next read of this executable fails instead, naming the error.
   */
  private scoped<T>(work: () => T): T {
    const { device } = this.handle;
    device.pushErrorScope('validation');
    try {
      return work();
    } finally {
      const scope: Promise<void> = device.popErrorScope().then(
        (error) => {
          if (error !== null) this.gpuError ??= error.message;
        },
        () => undefined, // a lost device is reported by `lost`, not here
      );
      this.openScopes.add(scope);
      void scope.finally(() => this.openScopes.delete(scope));
    }
  }

  /** Fails with the first GPU validation error of this executable's work since the last check. */
  private async expectNoGpuError(): Promise<void> {
    await Promise.all(this.openScopes);
    const message = this.gpuError;
    if (message === undefined) return;
    this.gpuError = undefined;
    fail('device', 'executable', `the GPU rejected this executable's work, so its results are not valid: ${message}`);
  }

  private assertAlive(): void {
    if (this.destroyed) fail('device', 'executable', 'this executable was destroyed');
  }

  /** Frees the GPU buffers. */
  destroy(): void {
    this.destroyed = true;
    for (const b of this.buffers) b.destroy();
    for (const counter of this.counters.values()) void counter.then((c) => c.destroy(), () => undefined);
    for (const u of this.loopUniforms.values()) u.destroy();
    this.sizeTables?.destroy();
  }
}

/** `compile(graph, device)`: a graph to an executable on a WebGPU device. */
export function compile(graph: Graph, handle: DeviceHandle | GPUDevice, options: CompileOptions = {}): Promise<Executable> {
  return Executable.create(graph, 'queue' in handle ? { device: handle } : handle, options);
}
