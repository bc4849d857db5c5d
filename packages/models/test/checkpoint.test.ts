import { crc32 } from 'node:zlib';
import { cpuBackend, SpikeflowError, tensor, type HostTensor } from '@spikeflow/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam } from '../src/index.js';
import { CHECKPOINT_VERSION, checkpointTypes, decodeCheckpoint, encodeCheckpoint, expectCheckpointMatches, loadCheckpoint, type Checkpoint } from '../src/checkpoint/index.js';
import { Trainer, type TrainerOptions } from '../src/trainer/index.js';
import { spikeClassifier, spikeData } from './support/spike-task.js';

const values = (t: HostTensor) => Array.from(t.data);

/** The error a call throws (sync or async), which must be a SpikeflowError. */
async function errorOf(fn: () => unknown): Promise<SpikeflowError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpikeflowError);
    return error as SpikeflowError;
  }
  throw new Error('expected a SpikeflowError, nothing was thrown');
}

/**
 * Splits a checkpoint file as its layout says (8-byte magic, u32 LE header length, header,
 * payload, u32 LE CRC-32 of all before it), independently of the decoder.
 */
function split(bytes: Uint8Array): { header: Record<string, unknown>; payload: Uint8Array } {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  return { header: JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + length))) as Record<string, unknown>, payload: bytes.subarray(12 + length, bytes.length - 4) };
}

/** Reassembles a file with an edited header; the length field and the checksum (zlib's CRC-32) follow the edit. */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, unknown>) => void): Uint8Array {
  const { header, payload } = split(bytes);
  edit(header);
  const text = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(12 + text.length + payload.length + 4);
  out.set(bytes.subarray(0, 8));
  const view = new DataView(out.buffer);
  view.setUint32(8, text.length, true);
  out.set(text, 12);
  out.set(payload, 12 + text.length);
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

const sample: Checkpoint = {
  progress: { epoch: 3, step: 42, seed: 2 ** 40 + 7, rng: 0xfedcba98 },
  tensors: {
    'linear0/w': tensor([2, 3], [1.5, -0, 3.4028234663852886e38, 1e-45, -2.5, Math.PI]),
    'optimizer/step': tensor([], [42]),
    counts: tensor([3], [-7, 0, 2147483647], 'i32'),
    ids: tensor([2], [4000000000, 1], 'u32'),
    mask: tensor([2, 2], [1, 0, 0, 1], 'bool'),
  },
};

describe('checkpoint format', () => {
  it('round-trips every dtype bit for bit, with the progress', () => {
    const bytes = encodeCheckpoint(sample);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('SPKFCKPT');
    const { header, payload } = split(bytes);
    expect(header).toMatchObject({ format: 'spikeflow-checkpoint', version: 2 });
    expect(CHECKPOINT_VERSION).toBe(2);
    // The trailer is zlib's CRC-32 of every byte before it, header included.
    expect(new DataView(bytes.buffer).getUint32(bytes.length - 4, true)).toBe(crc32(bytes.subarray(0, bytes.length - 4)));
    expect(payload.length).toBe(6 * 4 + 4 + 3 * 4 + 2 * 4 + 4); // f32, f32, i32, u32, bool bytes
    // The first weight is 1.5, little-endian float32: 0x3fc00000.
    expect([...payload.subarray(0, 4)]).toEqual([0x00, 0x00, 0xc0, 0x3f]);
    const back = decodeCheckpoint(bytes);
    expect(back.progress).toEqual(sample.progress);
    for (const [name, t] of Object.entries(sample.tensors)) {
      expect(back.tensors[name]!.type, name).toEqual(t.type);
      expect(values(back.tensors[name]!), name).toEqual(values(t));
    }
    expect(Object.is(back.tensors['linear0/w']!.data[1], -0)).toBe(true);
  });

  it('rejects each kind of damage with a checkpoint error naming the field', async () => {
    const bytes = encodeCheckpoint(sample);
    const { header } = split(bytes);
    const payloadAt = bytes.length - 4 - (header.payload as { bytes: number }).bytes;
    const flipped = bytes.slice();
    flipped[payloadAt + 2]! ^= 0x10;
    const cases: [string, Uint8Array, string][] = [
      ['empty file', new Uint8Array(0), 'header'],
      ['not a checkpoint', new TextEncoder().encode('{"format": "spikeflow-graph"}'), 'magic'],
      ['cut inside the header', bytes.slice(0, 40), 'header'],
      ['cut inside the first tensor', bytes.slice(0, payloadAt + 10), 'tensors.linear0/w'],
      ['cut inside the last tensor', bytes.slice(0, bytes.length - 5), 'tensors.mask'],
      ['cut inside the checksum', bytes.slice(0, bytes.length - 1), 'crc32'],
      ['trailing bytes', new Uint8Array([...bytes, 0]), 'payload'],
      ['a flipped payload bit', flipped, 'crc32'],
      ['a newer version', withHeader(bytes, (h) => (h.version = 3)), 'version'],
      ['a version 1 file (its checksum covered the payload alone)', withHeader(bytes, (h) => (h.version = 1)), 'version'],
      ['another format', withHeader(bytes, (h) => (h.format = 'other')), 'format'],
      ['a negative dimension', withHeader(bytes, (h) => ((h.tensors as { shape: number[] }[])[0]!.shape = [-2, -3])), 'tensors[0].shape[0]'],
      ['an unknown dtype', withHeader(bytes, (h) => ((h.tensors as { dtype: string }[])[2]!.dtype = 'f16')), 'tensors[2].dtype'],
      ['a byte length that does not fit the shape', withHeader(bytes, (h) => ((h.tensors as { shape: number[] }[])[0]!.shape = [3, 3])), 'tensors.linear0/w.bytes'],
      ['a duplicated tensor', withHeader(bytes, (h) => ((h.tensors as { name: string }[])[1]!.name = 'linear0/w')), 'tensors[1].name'],
      ['a missing progress field', withHeader(bytes, (h) => delete (h.progress as Record<string, unknown>).rng), 'progress.rng'],
    ];
    for (const [what, damaged, where] of cases) {
      const error = await errorOf(() => decodeCheckpoint(damaged));
      expect(error.code, what).toBe('checkpoint');
      expect(error.where, what).toBe(where);
    }
    const invalidJson = bytes.slice();
    invalidJson[12] = 0x7b + 1; // the header's opening brace
    expect((await errorOf(() => decodeCheckpoint(invalidJson))).where).toBe('header');
  });

  it('rejects every single-bit flip anywhere in the file, header and checksum included', () => {
    const bytes = encodeCheckpoint(sample);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), (bit) => {
        const damaged = bytes.slice();
        damaged[bit >> 3]! ^= 1 << (bit & 7);
        let error: unknown;
        try {
          decodeCheckpoint(damaged);
        } catch (e) {
          error = e;
        }
        expect(error, `bit ${bit}`).toBeInstanceOf(SpikeflowError);
        expect((error as SpikeflowError).code).toBe('checkpoint');
      }),
      { numRuns: 4000 },
    );
  });

  it('a flip that leaves a valid header (epoch 3 -> 7) is caught by the checksum', async () => {
    const bytes = encodeCheckpoint(sample);
    const at = new TextDecoder().decode(bytes).indexOf('"epoch":3') + '"epoch":'.length;
    expect(bytes[at]).toBe(0x33); // '3'
    const damaged = bytes.slice();
    damaged[at] = 0x37; // '7': one bit, and the header still parses and validates
    expect(split(damaged).header.progress).toMatchObject({ epoch: 7 });
    const error = await errorOf(() => decodeCheckpoint(damaged));
    expect([error.code, error.where]).toEqual(['checkpoint', 'crc32']);
  });

  it('a tensor named __proto__ is a tensor like any other, not the record\'s prototype', () => {
    const tensors: Record<string, HostTensor> = {};
    Object.defineProperty(tensors, '__proto__', { value: tensor([2], [4, 5]), enumerable: true });
    const back = decodeCheckpoint(encodeCheckpoint({ progress: sample.progress, tensors }));
    expect(Object.getPrototypeOf(back.tensors)).toBeNull();
    expect(Object.keys(back.tensors)).toEqual(['__proto__']);
    expect(values(Object.getOwnPropertyDescriptor(back.tensors, '__proto__')!.value as HostTensor)).toEqual([4, 5]);
    expect(back.tensors.constructor).toBeUndefined();
  });

  it('keeps the writer\'s meta (any JSON) under the checksum, and refuses meta that is not JSON', async () => {
    const meta = { run: { task: 'evidence', lr: 0.01, model: { layers: [{ kind: 'lif' }] } } };
    const bytes = encodeCheckpoint({ ...sample, meta });
    expect(decodeCheckpoint(bytes).meta).toEqual(meta);
    expect(decodeCheckpoint(encodeCheckpoint(sample)).meta).toBeUndefined();
    const at = new TextDecoder().decode(bytes).indexOf('0.01') + 3;
    const damaged = bytes.slice();
    damaged[at]! ^= 0x02; // 0.01 -> 0.03: still JSON, still a valid header
    expect((await errorOf(() => decodeCheckpoint(damaged))).where).toBe('crc32');
    expect((await errorOf(() => encodeCheckpoint({ ...sample, meta: { lr: Number.NaN } }))).where).toBe('meta');
  });

  it('an inherited tensor does not count as held', async () => {
    const w = tensor([2], [1, 2]);
    const inherited = { progress: sample.progress, tensors: Object.create({ w }) as Record<string, HostTensor> };
    const error = await errorOf(() => expectCheckpointMatches(inherited, new Map([['w', w.type]])));
    expect([error.code, error.where, error.found]).toEqual(['checkpoint', 'tensors.w', 'nothing']);
  });

  it('a header key named __proto__ is an unknown field, not a prototype', async () => {
    const bytes = encodeCheckpoint(sample);
    const error = await errorOf(() =>
      decodeCheckpoint(withHeader(bytes, (h) => Object.defineProperty(h.progress, '__proto__', { value: { epoch: 9 }, enumerable: true }))),
    );
    expect([error.code, error.where]).toEqual(['checkpoint', 'progress']);
  });

  it('refuses to write what it could not read back', async () => {
    const error = await errorOf(() => encodeCheckpoint({ ...sample, progress: { ...sample.progress, epoch: 1.5 } }));
    expect([error.code, error.where]).toEqual(['checkpoint', 'progress.epoch']);
    const short = await errorOf(() => encodeCheckpoint({ ...sample, tensors: { w: { type: { shape: [4], dtype: 'f32' }, data: new Float32Array(3) } } }));
    expect(short.where).toBe('tensors.w');
  });
});

describe('checkpoints of a trainer', () => {
  const options: TrainerOptions = { backend: cpuBackend(), model: spikeClassifier(), optimizer: adam(), data: spikeData(), schedule: 0.03, seed: 2 };
  let trainer: Trainer;
  let saved: Uint8Array;

  beforeAll(async () => {
    trainer = await Trainer.create(options);
    await trainer.runEpochs(1);
    saved = await trainer.checkpoint();
  });

  it('holds exactly the training graph state, each with its type', () => {
    const types = checkpointTypes(trainer.trainGraph);
    expect([...types.keys()].sort()).toEqual(['linear0/w', 'linear0/w/m', 'linear0/w/v', 'linear2/w', 'linear2/w/m', 'linear2/w/v', 'optimizer/step']);
    const loaded = loadCheckpoint(saved, trainer.trainGraph);
    for (const [name, type] of types) expect(loaded.tensors[name]!.type, name).toEqual(type);
    expect(values(loaded.tensors['optimizer/step']!)).toEqual([6]);
  });

  it('rejects a wrong, missing or extra tensor and a foreign run, leaving the trainer untouched', async () => {
    const good = decodeCheckpoint(saved);
    const edit = (fn: (tensors: Record<string, HostTensor>) => void) => {
      const tensors = { ...good.tensors };
      fn(tensors);
      return encodeCheckpoint({ progress: good.progress, tensors });
    };
    const other = await Trainer.create({ ...options, seed: 3 });
    await other.runEpochs(1);
    const foreign = await other.checkpoint();
    other.destroy();
    // Cutting 100 bytes ends the file inside the tensor that holds payload byte (size - 100).
    const layout = split(saved).header as { tensors: { name: string; offset: number; bytes: number }[]; payload: { bytes: number } };
    const cut = layout.tensors.find((e) => e.offset < layout.payload.bytes - 100 && layout.payload.bytes - 100 < e.offset + e.bytes)!;
    const cases: [string, Uint8Array, string][] = [
      ['truncated', saved.slice(0, saved.length - 100), `tensors.${cut.name}`],
      ['wrong version', withHeader(saved, (h) => (h.version = 0)), 'version'],
      ['missing tensor', edit((t) => delete t['linear2/w/v']), 'tensors.linear2/w/v'],
      ['extra tensor', edit((t) => (t['linear9/w'] = tensor([1], [0]))), 'tensors.linear9/w'],
      ['transposed weight', edit((t) => (t['linear0/w'] = tensor([16, 12], values(t['linear0/w']!)))), 'tensors.linear0/w'],
      ['integer step counter', edit((t) => (t['optimizer/step'] = tensor([], [6], 'i32'))), 'tensors.optimizer/step'],
      ['another seed', foreign, 'progress.seed'],
      ['extra tensor named __proto__', edit((t) => Object.defineProperty(t, '__proto__', { value: tensor([1], [0]), enumerable: true })), 'tensors.__proto__'],
    ];
    // A shape error says what the graph expects and what the file holds.
    const shapeError = await errorOf(() => trainer.resume(cases[4]![1]));
    expect([shapeError.expected, shapeError.found]).toEqual(['f32[12, 16]', 'f32[16, 12]']);
    const before = { epoch: trainer.epoch, step: trainer.step };
    for (const [what, bad, where] of cases) {
      const error = await errorOf(() => trainer.resume(bad));
      expect(error.code, what).toBe('checkpoint');
      expect(error.where, what).toBe(where);
    }
    expect({ epoch: trainer.epoch, step: trainer.step }).toEqual(before);
    // State, counters and generator position are byte for byte what they were.
    expect(await trainer.checkpoint()).toEqual(saved);
  });

  it('a valid checkpoint does replace the state (the control for the test above)', async () => {
    const later = await Trainer.create(options);
    await later.runEpochs(2);
    const twoEpochs = await later.checkpoint();
    later.destroy();
    const t = await Trainer.create(options);
    await t.runEpochs(1);
    await t.resume(twoEpochs);
    expect([t.epoch, t.step]).toEqual([2, 12]);
    expect(await t.checkpoint()).toEqual(twoEpochs);
    t.destroy();
  });
});
