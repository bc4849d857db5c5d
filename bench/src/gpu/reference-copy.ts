/**
 * The device's bandwidth ceiling: y = 2x over float32, read once and written once, as a
 * hand-written kernel. The vec4 form moves 16 bytes per load and store.
 */
export interface ReferenceCopy {
  readonly name: string;
  /** Floats per thread. */
  readonly width: 1 | 4;
}

export const REFERENCE_COPIES: readonly ReferenceCopy[] = [
  { name: 'y = 2x, f32', width: 1 },
  { name: 'y = 2x, vec4<f32>', width: 4 },
];

const WORKGROUP = 256;
const MAX_PER_DIM = 65535;

/** Workgroups spread over x and y so neither exceeds the per-dimension limit. */
export function copyWorkgroups({ width }: ReferenceCopy, elements: number): [number, number, number] {
  const groups = Math.ceil(elements / width / WORKGROUP);
  const y = Math.ceil(groups / MAX_PER_DIM);
  return [Math.ceil(groups / y), y, 1];
}

export function copyWgsl({ width }: ReferenceCopy, elements: number): string {
  if (elements % width !== 0) throw new Error(`reference copy: ${elements} is not a multiple of ${width}`);
  const type = width === 4 ? 'vec4<f32>' : 'f32';
  return `
@group(0) @binding(0) var<storage, read> x: array<${type}>;
@group(0) @binding(1) var<storage, read_write> y: array<${type}>;

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * ${WORKGROUP}u + lid;
  if (i < ${elements / width}u) {
    y[i] = 2.0 * x[i];
  }
}
`;
}
