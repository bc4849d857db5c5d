import { checkNamedFeeds, fail, initParams, initialValue, outputNode, sizeOf, type FeedValue, type Graph, type HostTensor, type NodeId, type TensorType } from '@spikeflow/core';
import { compileWasmProgram, type WasmProgramOptions } from '../compiler/compile.js';
import type { KernelStep, Program, Step } from '../compiler/program.js';
import { splitRange } from '../runtime.js';
import { ThreadPool, type SpawnKernelWorker } from '../threads/pool.js';
import { hostFromMemory, writeCheckedFeed, writeSpikeFeed, writeWords } from './host-data.js';
import { PROGRAM_MEMORY, programModule } from './program-module.js';
import { spikeInputsAsBool } from './spike-inputs.js';

const PAGE_BYTES = 65536;
/** 2 GiB: generated code adds byte offsets as i32. */
const MAX_BYTES = 2 ** 31;
/**
 * Kernels cheaper than this (work items × item cost, in element operations) run on the calling
 * thread alone: waking the workers costs more than they would save (see docs/wasm.md).
 */
export const SMALL_KERNEL_COST = 1 << 15;

export interface WasmExecutableOptions extends Omit<WasmProgramOptions, 'threads'> {
  /** Threads in all, the calling one included (default 1). More than one needs `spawn`. */
  readonly threads?: number;
  readonly spawn?: SpawnKernelWorker;
  /** How long a kernel waits for the worker threads before it fails (default: no limit). */
  readonly timeoutMs?: number;
  /** Kernels cheaper than this (work items × item cost) run on the calling thread alone (default SMALL_KERNEL_COST). */
  readonly smallKernelCost?: number;
  /** Seed of the params' and state's initializers (as core's cpuBackend: the same seed, the same values). */
  readonly seed?: number;
  /**
   * Names of inputs that hold spike trains (only 0 and 1), as WebGPU's option of the name: they are
   * kept as bools and a matmul reading one skips its zeros (see spikeInputsAsBool). Callers feed
   * them as declared; a feed holding another value is rejected, naming the element, and changes
   * nothing. An unknown name is an error.
   */
  readonly spikeInputs?: readonly string[];
}

type KernelFunction = (lo: number, hi: number, step: number) => void;

type Named = readonly { readonly name: string; readonly value: NodeId }[];

/**
 * A compiled graph on a pool of threads over one shared memory: every value at a fixed byte
 * offset, every kernel a function of one module instantiated on every thread. Each call checks
 * and writes the inputs, runs the steps (each kernel split over the threads by work items) and
 * reads back the outputs; params and state stay in the memory between calls.
 */
export class WasmExecutable {
  private destroyed = false;

  private constructor(
    readonly program: Program,
    private readonly graph: Graph,
    private readonly memory: WebAssembly.Memory,
    private readonly pool: ThreadPool,
    private readonly local: ReadonlyMap<KernelStep, KernelFunction>,
    private readonly names: ReadonlyMap<KernelStep, string>,
    private readonly seed: number,
    private readonly smallKernelCost: number,
    /** Declared spike inputs, by name, with the type they are fed as (their memory holds bools). */
    private readonly spikeInputs: ReadonlyMap<string, TensorType>,
  ) {}

  static async create(declaredGraph: Graph, options: WasmExecutableOptions = {}): Promise<WasmExecutable> {
    const threads = options.threads ?? 1;
    const { graph, fedAs } = spikeInputsAsBool(declaredGraph, options.spikeInputs ?? []);
    const { skipSpikeZeros, spikeTransposeMaxBytes } = options;
    const program = compileWasmProgram(graph, { threads, ...(skipSpikeZeros === undefined ? {} : { skipSpikeZeros }), ...(spikeTransposeMaxBytes === undefined ? {} : { spikeTransposeMaxBytes }) });
    if (program.memoryBytes > MAX_BYTES) fail('device', 'memory', `the program needs ${program.memoryBytes} bytes of memory, more than WebAssembly addresses here`, `<= ${MAX_BYTES} bytes`, `${program.memoryBytes} bytes`);
    const pages = Math.max(1, Math.ceil(program.memoryBytes / PAGE_BYTES));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const { binary, names } = programModule(program, pages);
    const module = await WebAssembly.compile(binary);
    const kernels = [...new Set(names.values())];
    const pool = await ThreadPool.create({ module, memory, memoryImport: PROGRAM_MEMORY, kernels, threads, spawn: options.spawn, timeoutMs: options.timeoutMs });
    // The calling thread's own instance runs small kernels without waking the workers.
    const instance = new WebAssembly.Instance(module, { [PROGRAM_MEMORY.module]: { [PROGRAM_MEMORY.name]: memory } });
    const local = new Map([...names].map(([step, name]) => [step, instance.exports[name] as KernelFunction]));
    const exe = new WasmExecutable(program, graph, memory, pool, local, names, options.seed ?? 0, options.smallKernelCost ?? SMALL_KERNEL_COST, fedAs);
    exe.writeConstants();
    exe.setParams(initParams(graph, { seed: exe.seed, precision: 'f32' }));
    exe.resetState();
    return exe;
  }

  get threads(): number {
    return this.pool.threads;
  }

  private offsetOf(value: NodeId): number {
    const offset = this.program.offsets.get(value);
    if (offset === undefined) throw new Error(`internal: value '${value}' has no memory`);
    return offset;
  }

  private writeConstants(): void {
    for (const v of this.program.values.values()) {
      if (v.constant === undefined || !this.program.offsets.has(v.id)) continue;
      const words = v.type.dtype === 'f32' ? new Float32Array(v.bytes / 4) : new Int32Array(v.bytes / 4);
      if (typeof v.constant === 'number') words.fill(v.constant);
      else words.set(v.constant);
      writeWords(this.memory, this.offsetOf(v.id), words);
    }
  }

  /** Checks every named value against its leaf (core's checkNamedFeeds), then (only if all pass) writes them all in place. */
  private writeNamed(kind: 'inputs' | 'params' | 'state', leaves: Named, values: Readonly<Record<string, FeedValue>>, requireAll: boolean): void {
    this.assertAlive();
    const feeds = checkNamedFeeds(kind, leaves, values, requireAll, ({ name, value }) => {
      const declared = kind === 'inputs' ? this.spikeInputs.get(name) : undefined;
      return { type: declared ?? this.program.values.get(value)!.type, spikes: declared !== undefined };
    });
    for (const { value, spikes, gathered } of feeds) {
      if (!this.program.offsets.has(value)) continue;
      if (spikes) writeSpikeFeed(this.memory, this.offsetOf(value), gathered);
      else writeCheckedFeed(this.memory, this.offsetOf(value), this.program.values.get(value)!.type.dtype, gathered);
    }
  }

  /** Replaces param values by name; every value is checked before any is written. */
  setParams(values: Readonly<Record<string, FeedValue>>): void {
    this.writeNamed('params', this.program.params, values, false);
  }

  /** Replaces state values by name (e.g. from a checkpoint); every value is checked before any is written. */
  setState(values: Readonly<Record<string, FeedValue>>): void {
    this.writeNamed('state', this.program.state, values, false);
  }

  /** Sets every state to its initializer: a fresh episode. */
  resetState(): void {
    const values = Object.fromEntries(this.program.state.map((s) => [s.name, initialValue(s.init, this.program.values.get(s.value)!.type, 'f32', s.name, this.seed)]));
    this.setState(values);
  }

  private runKernel(step: KernelStep, t: number): void {
    if (this.pool.threads === 1 || step.items * step.itemCost < this.smallKernelCost) {
      this.local.get(step)!(0, step.items, t);
      return;
    }
    this.pool.run(this.names.get(step)!, (thread) => [...splitRange(step.items, this.pool.threads, thread, step.granule), t]);
  }

  private runSteps(steps: readonly Step[], t: number): void {
    for (const s of steps) {
      if (s.kind === 'kernel') this.runKernel(s, t);
      else if (s.kind === 'copy') {
        const from = this.offsetOf(s.from);
        new Uint8Array(this.memory.buffer).copyWithin(this.offsetOf(s.to), from, from + s.bytes);
      } else for (const time of s.times) this.runSteps(s.body, time);
    }
  }

  /** One call without reading anything back (a training step). */
  submit(inputs: Readonly<Record<string, FeedValue>> = {}): void {
    this.writeNamed('inputs', this.program.inputs, inputs, true);
    this.runSteps(this.program.steps, 0);
  }

  /** One call; resolves to the named outputs (all by default). */
  async run(inputs: Readonly<Record<string, FeedValue>> = {}, read?: readonly string[]): Promise<Record<string, HostTensor>> {
    this.assertAlive();
    const outputs = new Map(this.program.outputs.map((o) => [o.name, o.value]));
    const wanted = read ?? [...outputs.keys()];
    for (const name of wanted) if (!outputs.has(name)) fail('feed', `outputs.${name}`, 'the graph has no output of this name', [...outputs.keys()].join(', '), name);
    this.submit(inputs);
    // An output that is a view (a reshape) reads its source: give it the shape the graph declares.
    return Object.fromEntries(wanted.map((name) => [name, this.read(outputs.get(name)!, outputNode(this.graph, name)!.type as TensorType)]));
  }

  private read(value: NodeId, type: TensorType): HostTensor {
    return hostFromMemory(this.memory, this.offsetOf(value), type);
  }

  /** Copies of the current state values (all by default). */
  async readState(names?: readonly string[]): Promise<Record<string, HostTensor>> {
    this.assertAlive();
    const known = new Map(this.program.state.map((s) => [s.name, s.value]));
    const wanted = names ?? [...known.keys()];
    for (const name of wanted) if (!known.has(name)) fail('feed', `state.${name}`, 'the graph has no state of this name', [...known.keys()].join(', ') || 'none', name);
    return Object.fromEntries(wanted.map((name) => [name, this.read(known.get(name)!, this.program.values.get(known.get(name)!)!.type)]));
  }

  /**
   * How many NaN or infinite values each named f32 state holds, counted in place in the shared
   * memory (a tight loop over the words' exponent bits; nothing is copied out).
   */
  async countNonFinite(names: readonly string[]): Promise<Record<string, number>> {
    this.assertAlive();
    const known = new Map(this.program.state.map((s) => [s.name, s.value]));
    const ranges = names.map((name) => {
      const value = known.get(name);
      if (value === undefined) fail('feed', `state.${name}`, 'the graph has no state of this name', [...known.keys()].join(', ') || 'none', name);
      const type = this.program.values.get(value)!.type;
      if (type.dtype !== 'f32') fail('feed', `state.${name}`, 'only f32 state can hold non-finite values', 'an f32 state', type.dtype);
      return { start: this.offsetOf(value) / 4, length: sizeOf(type.shape) };
    });
    const words = new Int32Array(this.memory.buffer);
    return Object.fromEntries(names.map((name, k) => [name, countNonFiniteWords(words, ranges[k]!.start, ranges[k]!.length)]));
  }

  /** Copies of the current param values. */
  async readParams(): Promise<Record<string, HostTensor>> {
    this.assertAlive();
    return Object.fromEntries(this.program.params.map((p) => [p.name, this.read(p.value, this.program.values.get(p.value)!.type)]));
  }

  private assertAlive(): void {
    if (this.destroyed) fail('device', 'executable', 'this executable was destroyed');
  }

  /** Stops the worker threads. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    void this.pool.destroy();
  }
}

/** f32 exponent bits: all ones marks NaN and ±Inf. */
const EXPONENT = 0x7f800000;

/** Words [start, start + length) whose f32 exponent is all ones (NaN or ±Inf). */
function countNonFiniteWords(words: Int32Array, start: number, length: number): number {
  let count = 0;
  for (let i = start, end = start + length; i < end; i++) if ((words[i]! & EXPONENT) === EXPONENT) count++;
  return count;
}
