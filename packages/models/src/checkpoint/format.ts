import { z } from 'zod';
import { allocData, DTYPES, fail, formatShape, sizeOf, type DType, type HostTensor } from '@spikeflow/core';
import { crc32 } from './crc32.js';

/**
 * The checkpoint file, as bytes (pure: writing it to disk atomically is the caller's edge):
 *
 *   8 bytes   magic "SPKFCKPT"
 *   4 bytes   header length H, u32 little-endian
 *   H bytes   header, UTF-8 JSON: { format, version, progress, tensors: [{ name, shape, dtype,
 *             offset, bytes }], payload: { bytes }, meta? }
 *   payload   each tensor's elements, little-endian (f32, i32, u32: 4 bytes; bool: 1), packed in
 *             header order
 *   4 bytes   CRC-32 of every byte before it (magic, length, header and payload), u32 LE
 *
 * Raw little-endian floats make a resumed run bit-identical; the header says where each tensor
 * lies, so a truncated file is reported at the tensor it cuts. The checksum covers the header
 * too: a flipped bit in the epoch, step or generator position is as fatal as one in a weight.
 * Version 1 checksummed the payload alone and is refused.
 */

export const CHECKPOINT_FORMAT = 'spikeflow-checkpoint';
export const CHECKPOINT_VERSION = 2;
const MAGIC = 'SPKFCKPT';
const PREAMBLE = MAGIC.length + 4;
/** The trailing CRC-32. */
const TRAILER = 4;

/** Where a training run stands: enough, with the state tensors, to continue it exactly. */
export interface TrainingProgress {
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps taken. */
  readonly step: number;
  /** The run's seed (it also fixed the initial values of untrained params). */
  readonly seed: number;
  /** The position of the trainer's data generator (its u32 state). */
  readonly rng: number;
}

export interface Checkpoint {
  readonly progress: TrainingProgress;
  /** Every state of the training graph by name: trained params, optimizer slots, step counter, model state. */
  readonly tensors: Readonly<Record<string, HostTensor>>;
  /**
   * What the program that wrote it wants kept with the run (any JSON), e.g. the CLI's settings so
   * a resumed run can prove it continues with the same ones; covered by the checksum. The trainer
   * leaves it out.
   */
  readonly meta?: unknown;
}

const count = z.number().int().nonnegative();
const headerSchema = z.strictObject({
  format: z.literal(CHECKPOINT_FORMAT),
  version: z.literal(CHECKPOINT_VERSION),
  progress: z.strictObject({ epoch: count, step: count, seed: count.max(Number.MAX_SAFE_INTEGER), rng: count.max(0xffffffff) }),
  tensors: z.array(z.strictObject({ name: z.string().min(1), shape: z.array(count), dtype: z.enum(DTYPES as [DType, ...DType[]]), offset: count, bytes: count })),
  payload: z.strictObject({ bytes: count }),
  meta: z.json().optional(),
});
type Header = z.infer<typeof headerSchema>;
type TensorEntry = Header['tensors'][number];

const BYTES_PER: Record<DType, number> = { f32: 4, i32: 4, u32: 4, bool: 1 };

function checkpointError(where: string, message: string, expected?: string, found?: string): never {
  fail('checkpoint', where, message, expected, found);
}

function writeElements(view: DataView, at: number, dtype: DType, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (dtype === 'f32') view.setFloat32(at + 4 * i, v, true);
    else if (dtype === 'i32') view.setInt32(at + 4 * i, v, true);
    else if (dtype === 'u32') view.setUint32(at + 4 * i, v, true);
    else view.setUint8(at + i, v === 0 ? 0 : 1);
  }
}

function readElements(view: DataView, at: number, dtype: DType, size: number): HostTensor['data'] {
  const out = allocData(dtype, size, 'f32');
  for (let i = 0; i < size; i++) {
    if (dtype === 'f32') out[i] = view.getFloat32(at + 4 * i, true);
    else if (dtype === 'i32') out[i] = view.getInt32(at + 4 * i, true);
    else if (dtype === 'u32') out[i] = view.getUint32(at + 4 * i, true);
    else out[i] = view.getUint8(at + i);
  }
  return out;
}

export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const entries: TensorEntry[] = [];
  const data: HostTensor['data'][] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(checkpoint.tensors)) {
    const size = sizeOf(t.type.shape);
    if (t.data.length !== size) checkpointError(`tensors.${name}`, 'tensor data does not fill its shape', `${size} elements for ${formatShape(t.type.shape)}`, `${t.data.length}`);
    const bytes = size * BYTES_PER[t.type.dtype];
    entries.push({ name, shape: [...t.type.shape], dtype: t.type.dtype, offset, bytes });
    data.push(t.data);
    offset += bytes;
  }
  const header: Header = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    progress: { ...checkpoint.progress },
    tensors: entries,
    payload: { bytes: offset },
    ...(checkpoint.meta === undefined ? {} : { meta: checkpoint.meta as Header['meta'] }),
  };
  // The same validation as on load, so no file is written that could not be read back.
  const checked = headerSchema.safeParse(header);
  if (!checked.success) schemaError(header, checked.error);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const payloadAt = PREAMBLE + text.length;
  const out = new Uint8Array(payloadAt + offset + TRAILER);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(MAGIC.length, text.length, true);
  out.set(text, PREAMBLE);
  entries.forEach((e, i) => writeElements(view, payloadAt + e.offset, e.dtype, data[i]!));
  const covered = out.length - TRAILER;
  view.setUint32(covered, crc32(out.subarray(0, covered)), true);
  return out;
}

/** `tensors[2].shape` from a zod issue path. */
function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out === '' ? String(seg) : `${out}.${String(seg)}`), '');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((v, seg) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[seg] : undefined), root);
}

function schemaError(raw: unknown, error: z.ZodError): never {
  const issue = error.issues[0]!;
  const found = valueAt(raw, issue.path);
  checkpointError(formatPath(issue.path) || 'header', `bad checkpoint header: ${issue.message}`, undefined, found === undefined ? 'nothing' : JSON.stringify(found));
}

function readHeader(bytes: Uint8Array): { header: Header; payloadAt: number } {
  if (bytes.length < PREAMBLE) checkpointError('header', 'the file is too short to be a checkpoint (truncated?)', `at least ${PREAMBLE} bytes`, `${bytes.length}`);
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC) checkpointError('magic', 'not a spikeflow checkpoint', JSON.stringify(MAGIC), JSON.stringify(magic));
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  if (PREAMBLE + length > bytes.length) checkpointError('header', 'the file ends inside the header (truncated)', `${PREAMBLE + length} bytes at least`, `${bytes.length}`);
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE, PREAMBLE + length)));
  } catch (error) {
    checkpointError('header', 'the header is not valid UTF-8 JSON', undefined, error instanceof Error ? error.message : String(error));
  }
  // Format and version first: a newer file gets a version error, not a confusing schema one.
  const top = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  if (top.format !== CHECKPOINT_FORMAT) checkpointError('format', 'not a spikeflow checkpoint', JSON.stringify(CHECKPOINT_FORMAT), JSON.stringify(top.format ?? null));
  if (top.version !== CHECKPOINT_VERSION) checkpointError('version', 'unsupported checkpoint version', String(CHECKPOINT_VERSION), JSON.stringify(top.version ?? null));
  const parsed = headerSchema.safeParse(raw);
  if (!parsed.success) schemaError(raw, parsed.error);
  return { header: parsed.data, payloadAt: PREAMBLE + length };
}

/** The layout must be self-consistent: each tensor's bytes fit its shape, packed in order. */
function checkLayout(header: Header): void {
  const seen = new Set<string>();
  let offset = 0;
  header.tensors.forEach((e, i) => {
    if (seen.has(e.name)) checkpointError(`tensors[${i}].name`, `tensor '${e.name}' appears twice`, 'each name once', e.name);
    seen.add(e.name);
    const bytes = sizeOf(e.shape) * BYTES_PER[e.dtype];
    if (e.bytes !== bytes) checkpointError(`tensors.${e.name}.bytes`, 'byte length does not match shape and dtype', `${bytes} for ${e.dtype}${formatShape(e.shape)}`, `${e.bytes}`);
    if (e.offset !== offset) checkpointError(`tensors.${e.name}.offset`, 'tensors are not packed in header order', `${offset}`, `${e.offset}`);
    offset += bytes;
  });
  if (offset !== header.payload.bytes) checkpointError('payload.bytes', 'payload size does not match the tensors', `${offset}`, `${header.payload.bytes}`);
}

/**
 * Parses checkpoint bytes, rejecting with a SpikeflowError (code 'checkpoint') that names the
 * field at fault: a truncated file, a wrong magic, format or version, a malformed header, a tensor
 * whose bytes do not fit it, trailing bytes or a checksum mismatch anywhere in the file. Shapes
 * are checked against a training graph by `loadCheckpoint`. The tensors come back in a record
 * without a prototype, so a tensor named `__proto__` is only a name.
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const { header, payloadAt } = readHeader(bytes);
  checkLayout(header);
  const { bytes: size } = header.payload;
  const after = bytes.length - payloadAt; // payload and checksum, as the file has them
  if (after < size) {
    const cut = header.tensors.find((e) => e.offset + e.bytes > after)!;
    checkpointError(`tensors.${cut.name}`, 'the file ends inside this tensor (truncated)', `${cut.bytes} bytes`, `${Math.max(0, after - cut.offset)}`);
  }
  if (after < size + TRAILER) checkpointError('crc32', 'the file ends inside the checksum (truncated)', `${TRAILER} bytes`, `${after - size}`);
  if (after > size + TRAILER) checkpointError('payload', 'unexpected bytes after the checksum', `${size + TRAILER} bytes of payload and checksum`, `${after}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const covered = bytes.length - TRAILER;
  const stored = view.getUint32(covered, true);
  const sum = crc32(bytes.subarray(0, covered));
  if (sum !== stored) checkpointError('crc32', 'checksum mismatch: the file is corrupted', hex(stored), hex(sum));
  const tensors: Record<string, HostTensor> = Object.create(null) as Record<string, HostTensor>;
  for (const e of header.tensors) tensors[e.name] = { type: { shape: e.shape, dtype: e.dtype }, data: readElements(view, payloadAt + e.offset, e.dtype, sizeOf(e.shape)) };
  return { progress: header.progress, tensors, ...(header.meta === undefined ? {} : { meta: header.meta }) };
}

function hex(x: number): string {
  return `0x${x.toString(16).padStart(8, '0')}`;
}
