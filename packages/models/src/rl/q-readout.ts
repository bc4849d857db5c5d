import { GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { doubleTdTargets, tdLoss, tdTargets } from './dqn-loss.js';

/** The names of the readout learner's interface (its params match the LSM graph's readout). */
export const Q_READOUT = {
  states: 'states',
  actions: 'actions',
  rewards: 'rewards',
  nextStates: 'nextStates',
  dones: 'dones',
  targetW: 'target/w',
  targetB: 'target/b',
  w: 'readout/w',
  b: 'readout/b',
  loss: 'loss',
} as const;

export interface QReadoutOptions {
  readonly batch: number;
  readonly features: number;
  readonly actions: number;
  readonly gamma: number;
  /** Huber threshold of the TD loss (Infinity: squared error). */
  readonly huberDelta: number;
  /** Double DQN's targets: the online readout picks the next action, the target copy values it (default false: DQN's max). */
  readonly double?: boolean;
}

/** Q = features·W + b, with W and b the params `readout/w` and `readout/b` (zeros at first). */
function linearQ(b: GraphBuilder, features: Tensor, w: Tensor, bias: Tensor): Tensor {
  return features.matmul(w).add(bias);
}

/**
 * The DQN loss of a linear Q readout on a replay batch, as ONE model graph for `trainingGraph`
 * (train `readout/w` and `readout/b`): Q(s) for the batch's states and the target network's
 * Q(s') for its next states (W⁻, b⁻ fed as the inputs `target/w`, `target/b`, a frozen copy the
 * learner refreshes every so many steps), the TD targets r + γ(1 − done)·max Q⁻(s') (or Double
 * DQN's, with `double`) and the Huber TD loss. The states are whatever features the agent stores (reservoir spike counts, raw observations).
 */
export function qReadoutModel(options: QReadoutOptions): Graph {
  const { batch, features, actions, gamma, huberDelta } = options;
  const b = new GraphBuilder();
  const states = b.input(Q_READOUT.states, [batch, features]);
  const taken = b.input(Q_READOUT.actions, [batch], 'i32');
  const rewards = b.input(Q_READOUT.rewards, [batch]);
  const nextStates = b.input(Q_READOUT.nextStates, [batch, features]);
  const dones = b.input(Q_READOUT.dones, [batch]);
  const targetW = b.input(Q_READOUT.targetW, [features, actions]);
  const targetB = b.input(Q_READOUT.targetB, [actions]);
  const w = b.param(Q_READOUT.w, [features, actions], { kind: 'zeros' });
  const bias = b.param(Q_READOUT.b, [actions], { kind: 'zeros' });
  const targetNext = linearQ(b, nextStates, targetW, targetB);
  const targets = options.double ? doubleTdTargets(rewards, dones, linearQ(b, nextStates, w, bias), targetNext, gamma) : tdTargets(rewards, dones, targetNext, gamma);
  const loss = tdLoss(linearQ(b, states, w, bias), taken, targets, huberDelta);
  return b.finish({ [Q_READOUT.loss]: loss });
}
