import type { DType, TensorType } from '@spikeflow/core';
import { withFastDivision } from './fast-division.js';

/** WGSL value type of a dtype (bool computes as WGSL bool). */
export function wgslValueType(dtype: DType): 'f32' | 'i32' | 'u32' | 'bool' {
  return dtype;
}

/** WGSL storage element type: bool is not host-shareable, so it is stored as u32 0/1. */
export function wgslStorageType(dtype: DType): 'f32' | 'i32' | 'u32' {
  return dtype === 'bool' ? 'u32' : dtype;
}

/** A u32 WGSL literal of a non-negative integer: a structural constant (lanes, block sizes, unroll indices), never a tensor size. */
export const u = (n: number): string => `${n}u`;

/** 0, 1, ..., count - 1: the unrolled lanes, rows or columns a generator writes out. */
export const upTo = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

/** WGSL name of the size table, the read-only u32 buffer a kernel's last binding holds. */
export const SIZE_TABLE = 'dims';

/**
 * The sizes a kernel reads at run time (extents, strides, element counts, dispatch bounds), in
 * slot order. A generator asks for each size through `of`, which returns WGSL reading its slot,
 * so the kernel's text depends on how many sizes it reads and in which order, never on their
 * values: one compiled pipeline serves every batch size. The executable writes the values into
 * the table once, when it is created.
 */
export class KernelSizes {
  private readonly slots: number[] = [];

  /**
   * `baked`: every size becomes a u32 literal and no table is bound, for the generators that
   * still specialise on sizes (see docs/architecture.md, "Route A").
   */
  constructor(readonly baked = false) {}

  /** WGSL reading size `n` from the table. */
  of(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`internal: size ${n} is not a u32`);
    if (this.baked) return u(n);
    this.slots.push(n);
    return `${SIZE_TABLE}[${this.slots.length - 1}u]`;
  }

  /**
   * `b` reading its scan step stride from the table: a step loop's per-step slice (B·H elements,
   * say) then does not change the kernel's text either.
   */
  stepped<B extends BufferBinding>(b: B): B {
    if (b.stepStride === 0 || this.baked) return b;
    return { ...b, stepStrideAt: this.of(b.stepStride) };
  }

  get values(): readonly number[] {
    return [...this.slots];
  }

  /** `bindings` with the size table appended as the last binding, when any size was asked for. */
  bind(bindings: readonly BufferBinding[]): BufferBinding[] {
    if (this.slots.length === 0) return [...bindings];
    return [...bindings, { name: SIZE_TABLE, access: 'read', type: { shape: [this.slots.length], dtype: 'u32' }, stepStride: 0 }];
  }
}

/** A WGSL literal of a number in a dtype (always a valid token: no NaN/Infinity reach here). */
export function wgslLiteral(value: number, dtype: DType): string {
  switch (dtype) {
    case 'f32': {
      if (!Number.isFinite(value)) throw new Error(`internal: non-finite literal ${value}`);
      const text = Object.is(value, -0) ? '-0.0' : String(value);
      return /[.eE]/.test(text) ? `f32(${text})` : `f32(${text}.0)`;
    }
    case 'i32':
      return value === -2147483648 ? 'i32(-2147483647 - 1)' : `i32(${value | 0})`;
    case 'u32':
      return `${value >>> 0}u`;
    case 'bool':
      return value !== 0 ? 'true' : 'false';
  }
}

/** One storage buffer a kernel binds, in binding order. Names are generated, never user text. */
export interface BufferBinding {
  /** WGSL identifier of the binding (e.g. `in0`, `out`). */
  readonly name: string;
  readonly access: 'read' | 'read_write';
  readonly type: TensorType;
  /**
   * Elements to add per scan step (0 for a plain buffer): inside a scan run step by step, a slice
   * of a sequence or of a stacked output lives at `step * stepStride` in a larger buffer.
   */
  readonly stepStride: number;
  /** WGSL reading `stepStride` from the kernel's size table (see `KernelSizes.stepped`); absent: a literal. */
  readonly stepStrideAt?: string;
  /**
   * Whether the buffer holds a proven spike train bit-packed, 32 elements per u32 (element e is
   * bit e % 32 of word e / 32): read through `loadStored`, never written by a consumer.
   */
  readonly packed?: boolean;
  /**
   * Whether the kernel views the buffer as `array<vec4<T>>` and indexes it in vec4 units (see
   * `vec4Index`); only kernels that checked `vec4Viewable` set it.
   */
  readonly vec4?: boolean;
}

/** A generated compute kernel: its WGSL, what it binds and how it is dispatched. */
export interface KernelSource {
  /** Human-readable label (scope path of the node it computes) for stats and debugging; never in WGSL. */
  readonly label: string;
  readonly kind: string;
  readonly code: string;
  readonly bindings: readonly BufferBinding[];
  /** Workgroups to dispatch in x, y, z. */
  readonly workgroups: readonly [number, number, number];
  /** Whether the kernel reads the per-step uniform (group 1, binding 0) of a step-by-step scan. */
  readonly usesStep: boolean;
  /**
   * The values of its size table (see KernelSizes), bound as the last binding when there are any;
   * the kernel's other bindings are a step's `args` in order. Absent or empty: no size table.
   */
  readonly sizes?: readonly number[];
}

/** The tensor bindings of a kernel, without its size table. */
export function tensorBindings(source: KernelSource): readonly BufferBinding[] {
  return (source.sizes?.length ?? 0) > 0 ? source.bindings.slice(0, -1) : source.bindings;
}

/** The most workgroups per dispatch dimension that every WebGPU device allows. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Spreads `count` workgroups over x and y so no dimension exceeds the limit; kernels recover the
 * flat workgroup index as `wid.x + wid.y * nwg.x` (see `FLAT_WORKGROUP_INDEX`).
 */
export function dispatch2d(count: number): [number, number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [Math.max(1, count), 1, 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(count / y), y, 1];
}

/** WGSL: the flat workgroup index under a `dispatch2d` dispatch. */
export const FLAT_WORKGROUP_INDEX = '(wid.x + wid.y * nwg.x)';

/** WGSL declaration of the per-step uniform used by kernels of a scan run step by step. */
export const STEP_UNIFORM = 'struct Step { t: u32 }\n@group(1) @binding(0) var<uniform> step: Step;';

/** WGSL: a thread's lane in its subgroup, in `main` of a module built with `subgroups` (see codegen/subgroup-loads.ts). */
export const SUBGROUP_LANE = 'sgid';

/**
 * A whole compute module: the bindings, the step uniform when a binding takes the step offset,
 * `extra` declarations (helper functions, workgroup memory) and `main` with `body`; with
 * `subgroups`, the subgroups extension and the lane `SUBGROUP_LANE`. Returns whether the step
 * uniform is used.
 */
export function computeModule(
  bindings: readonly BufferBinding[],
  workgroupSize: number,
  body: readonly string[],
  extra: readonly string[] = [],
  { subgroups = false }: { readonly subgroups?: boolean } = {},
): { code: string; usesStep: boolean } {
  const usesStep = bindings.some((b) => b.stepStride !== 0);
  const lane = subgroups ? `, @builtin(subgroup_invocation_id) ${SUBGROUP_LANE}: u32` : '';
  const code = [
    // Subgroups here are verified to be aligned runs of consecutive invocations (see
    // codegen/subgroup-loads.ts), so a branch on values shared by such a run is subgroup-uniform
    // although WGSL's analysis, which cannot know the layout, says otherwise.
    ...(subgroups ? ['enable subgroups;', 'diagnostic(off, subgroup_uniformity);'] : []),
    declareBindings(bindings),
    ...(usesStep ? [STEP_UNIFORM] : []),
    ...extra,
    `@compute @workgroup_size(${workgroupSize})`,
    `fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32${lane}) {`,
    ...body.map((l) => `  ${l}`),
    '}',
  ].join('\n');
  return { code: withFastDivision(code), usesStep };
}

/** WGSL declarations of a kernel's storage bindings (group 0, in order). */
export function declareBindings(bindings: readonly BufferBinding[]): string {
  return bindings
    .map((b, i) => {
      const element = b.packed === true ? 'u32' : wgslStorageType(b.type.dtype);
      return `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.vec4 === true ? `vec4<${element}>` : element}>;`;
    })
    .join('\n');
}

/** WGSL index expression into a binding, adding the scan step offset when it has one. */
export function bindingIndex(b: BufferBinding, index: string): string {
  if (b.vec4 === true) throw new Error(`internal: binding ${b.name} is a vec4 view; index it with vec4Index`);
  return b.stepStride === 0 ? index : `step.t * ${b.stepStrideAt ?? u(b.stepStride)} + ${index}`;
}

/**
 * Whether a kernel may view binding `b` as vec4s whose vectorised axis has `contiguous` elements
 * (the innermost extent, or a matrix row): every vec4 it reads or writes then starts at a multiple
 * of 4 elements, scan step offsets included. Buffers are bound whole from offset 0, so alignment
 * is the element index's alone.
 */
export function vec4Viewable(b: BufferBinding, contiguous: number): boolean {
  return b.packed !== true && contiguous > 0 && contiguous % 4 === 0 && b.stepStride % 4 === 0;
}

/** WGSL index expression into a vec4 view (`index4` in vec4 units), adding the scan step offset. */
export function vec4Index(b: BufferBinding, index4: string): string {
  if (b.vec4 !== true) throw new Error(`internal: binding ${b.name} is not a vec4 view`);
  if (b.stepStride === 0) return index4;
  return `step.t * ${b.stepStrideAt === undefined ? u(b.stepStride / 4) : `(${b.stepStrideAt} / 4u)`} + ${index4}`;
}

/**
 * WGSL reading element `index` of a binding as its storage type (f32, i32 or u32; bool as u32
 * 0/1), unpacking a bit-packed spike train. Every kernel reads its inputs through this, so any
 * kernel can consume a packed buffer.
 */
export function loadStored(b: BufferBinding, index: string): string {
  const at = bindingIndex(b, index);
  if (b.packed !== true) return `${b.name}[${at}]`;
  const bit = `((${b.name}[(${at}) >> 5u] >> ((${at}) & 31u)) & 1u)`;
  const type = wgslStorageType(b.type.dtype);
  return type === 'u32' ? bit : `${type}(${bit})`;
}
