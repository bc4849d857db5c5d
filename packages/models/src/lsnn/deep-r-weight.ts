import { leafName, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { initDeepR, type Eligibility } from './deep-r.js';
import { TaskRng } from '../tasks/task-rng.js';

/** What the host-side rewiring needs to know about one DEEP R weight of a graph. */
export interface DeepRParam {
  /** The θ param's full name; `trainingGraph` keeps it as the name of its state. */
  readonly name: string;
  readonly shape: readonly number[];
  /** The number of active connections that every rewire holds. */
  readonly target: number;
  /** The fixed signs s (±1), so that w = s ⊙ relu(θ) can be formed on the host. */
  readonly sign: Float32Array;
  readonly eligible?: Eligibility;
}

export interface DeepRWeightOptions {
  /** Fraction of the eligible entries that are active, e.g. 0.12. */
  readonly connectivity: number;
  /** Active θ start at |N(0, scale²)|. */
  readonly scale: number;
  readonly seed: number;
  /** 0 where a connection may never exist (the recurrent diagonal). */
  readonly eligible?: Eligibility;
}

/**
 * A weight w = s ⊙ relu(θ) of the current scope: θ is a trained param starting at exactly the
 * target connectivity, s a constant. relu's zero derivative at θ <= 0 keeps dormant entries out
 * of the gradient, so only the host-side rewiring moves connections in and out.
 */
export function deepRWeight(b: GraphBuilder, name: string, shape: readonly [number, number], options: DeepRWeightOptions): { weight: Tensor; param: DeepRParam } {
  const size = shape[0] * shape[1];
  const init = initDeepR(size, { connectivity: options.connectivity, scale: options.scale, rng: new TaskRng(options.seed), eligible: options.eligible });
  const theta = b.param(name, shape, { kind: 'values', values: Array.from(init.theta) });
  const sign = b.constant(Array.from(init.sign), shape);
  const qualified = leafName(b.nodeOf(theta.id));
  return {
    weight: theta.relu().mul(sign),
    param: { name: qualified, shape: [...shape], target: init.target, sign: init.sign, eligible: options.eligible },
  };
}
