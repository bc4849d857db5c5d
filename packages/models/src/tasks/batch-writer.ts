import { fail, type HostTensor } from '@spikeflow/core';
import { checkInt, checkUnit } from './options.js';
import type { TaskRng } from './task-rng.js';
import type { TaskBatch, TaskInfo } from './task.js';

/**
 * A population code for spike inputs: channel c owns the inputs [c·perChannel, (c+1)·perChannel),
 * and while it is active each of them spikes independently with probability `rate` per step
 * (a Poisson train at rate/dt). With rate 1 every input of an active channel spikes every step.
 */
export interface SpikeCode {
  readonly perChannel: number;
  readonly rate: number;
}

export function checkSpikeCode(where: string, code: SpikeCode): SpikeCode {
  checkInt(`${where}.perChannel`, code.perChannel, 1);
  checkUnit(`${where}.rate`, code.rate);
  return code;
}

/**
 * Writes episodes into one time-major batch: x [T, B, F], the targets and mask [T, B] and the
 * labels [B], all zero until written. Every task builds its batch through this, so the layout
 * is written once.
 */
export class BatchWriter {
  readonly x: Float32Array;
  readonly mask: Float32Array;
  private readonly classes: Int32Array | undefined;
  private readonly values: Float32Array | undefined;
  private readonly labels: Int32Array | undefined;

  constructor(
    private readonly info: TaskInfo,
    readonly batch: number,
    options: { labels: boolean },
  ) {
    if (batch < 1) fail('feed', info.name, 'a batch needs at least one episode', '>= 1 episode', '0');
    const { steps: t, inputSize: f, outputSize: k } = info;
    this.x = new Float32Array(t * batch * f);
    this.mask = new Float32Array(t * batch);
    this.classes = info.target === 'class' ? new Int32Array(t * batch) : undefined;
    this.values = info.target === 'value' ? new Float32Array(t * batch * k) : undefined;
    this.labels = options.labels ? new Int32Array(batch) : undefined;
  }

  /** Flat index of x[t, b, f]. */
  at(t: number, b: number, f: number): number {
    return (t * this.batch + b) * this.info.inputSize + f;
  }

  /** Sets x[t, b, f] for t in [t0, t1). */
  hold(t0: number, t1: number, b: number, f: number, value: number): void {
    for (let t = t0; t < t1; t++) this.x[this.at(t, b, f)] = value;
  }

  /** Spikes of `channel` under `code` for t in [t0, t1), starting at input `offset` (ORed into x). */
  fire(t0: number, t1: number, b: number, channel: number, code: SpikeCode, rng: TaskRng, offset = 0): void {
    const first = offset + channel * code.perChannel;
    for (let t = t0; t < t1; t++) {
      for (let i = first; i < first + code.perChannel; i++) {
        if (code.rate >= 1 || rng.uniform() < code.rate) this.x[this.at(t, b, i)] = 1;
      }
    }
  }

  /** Background spikes at `rate` on every input of `channel`, for the whole episode. */
  noise(b: number, channel: number, code: SpikeCode, rate: number, rng: TaskRng): void {
    this.fire(0, this.info.steps, b, channel, { perChannel: code.perChannel, rate }, rng);
  }

  /** The class answer `label` scored at t in [t0, t1). */
  answerClass(t0: number, t1: number, b: number, label: number): void {
    for (let t = t0; t < t1; t++) {
      this.classes![t * this.batch + b] = label;
      this.mask[t * this.batch + b] = 1;
    }
  }

  /** The value answer `target` (length K) scored at t in [t0, t1). */
  answerValues(t0: number, t1: number, b: number, target: ArrayLike<number>): void {
    const k = this.info.outputSize;
    for (let t = t0; t < t1; t++) {
      for (let j = 0; j < k; j++) this.values![(t * this.batch + b) * k + j] = target[j]!;
      this.mask[t * this.batch + b] = 1;
    }
  }

  label(b: number, label: number): void {
    this.labels![b] = label;
  }

  finish(): TaskBatch {
    const { steps: t, inputSize: f, outputSize: k } = this.info;
    const b = this.batch;
    const targets: HostTensor = this.classes
      ? { type: { shape: [t, b], dtype: 'i32' }, data: this.classes }
      : { type: { shape: [t, b, k], dtype: 'f32' }, data: this.values! };
    return {
      inputs: { x: { type: { shape: [t, b, f], dtype: 'f32' }, data: this.x } },
      targets,
      mask: { type: { shape: [t, b], dtype: 'f32' }, data: this.mask },
      ...(this.labels ? { labels: { type: { shape: [b], dtype: 'i32' }, data: this.labels } } : {}),
    };
  }
}
