import { trace, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { lsnn, type LsnnInitialState } from '../lsnn/network.js';
import { a2cLoss, type A2cLossOptions } from '../rl/a2c-loss.js';
import { arenaInputSize } from './arena-inputs.js';
import type { L2lNetwork } from './meta-training.js';

/**
 * The LSNN actor-critic of meta-RL navigation (Bellec et al. 2018): each arena step the LSNN runs
 * `substeps` steps on the step's input channels (held constant), and two linear readouts of its
 * spike rate over those steps, r = mean_k z_k, give the policy logits r·W_π + b_π (one per move)
 * and the value r·w_V + b_V. The readouts have no leak, so the only memory across arena steps is
 * the recurrent layer's state (membranes, adaptive thresholds, last spikes): the goal's place has
 * to be kept there, with the weights fixed within an episode.
 */
export interface NavigationAgentOptions {
  /** The arena side (sets the input size). */
  readonly size: number;
  readonly network: L2lNetwork;
  /** LSNN steps per arena step. */
  readonly substeps: number;
}

export const NAVIGATION_ACTIONS = 4;

export interface AgentHeads {
  /** [T, B, 4] */
  readonly logits: Tensor;
  /** [T, B] */
  readonly values: Tensor;
  readonly finalState: Readonly<Record<string, Tensor>>;
}

/** The LSNN and its readouts on x [T·substeps, B, inputs]: per arena step logits and values. */
export function agentHeads(b: GraphBuilder, agent: NavigationAgentOptions, x: Tensor, initialState?: LsnnInitialState): AgentHeads {
  const net = lsnn({ ...agent.network, inputs: arenaInputSize(agent.size), outputs: 1 });
  const p = net(b, x, initialState);
  const [steps, batch, n] = p.spikes.shape as [number, number, number];
  const envSteps = steps / agent.substeps;
  const rates = p.spikes.reshape([envSteps, agent.substeps, batch, n]).mean(1);
  const head = (name: string, outputs: number) =>
    b.scope(name, () => rates.matmul(b.param('w', [n, outputs], { kind: 'normal', mean: 0, std: 1 / Math.sqrt(n) })).add(b.param('b', [outputs], { kind: 'zeros' })));
  const logits = head('actor', NAVIGATION_ACTIONS);
  const values = head('critic', 1).reshape([envSteps, batch]);
  return { logits, values, finalState: p.finalState };
}

/** Leaf names of the graphs below. */
export const NAVIGATION_FEEDS = { x: 'x', actions: 'actions', returns: 'returns' } as const;

/**
 * The outer loop's graph over whole episodes of `envSteps` arena steps, batch `batch`: input x
 * [envSteps·substeps, B, inputs], the actions taken (i32) and their discounted returns, both
 * [envSteps·B] in step-major order (index t·B + b); outputs the A2C `loss` (and its `policy`,
 * `value`, `entropy` parts) over every step of every episode, so BPTT runs through the episode.
 */
export function navigationTrainingModel(agent: NavigationAgentOptions, envSteps: number, batch: number, loss: A2cLossOptions = {}): Graph {
  return trace((b) => {
    const x = b.input(NAVIGATION_FEEDS.x, [envSteps * agent.substeps, batch, arenaInputSize(agent.size)]);
    const { logits, values } = agentHeads(b, agent, x);
    const rows = envSteps * batch;
    const parts = a2cLoss(logits.reshape([rows, NAVIGATION_ACTIONS]), values.reshape([rows]), b.input(NAVIGATION_FEEDS.actions, [rows], 'i32'), b.input(NAVIGATION_FEEDS.returns, [rows]), loss);
    return { loss: parts.loss, policy: parts.policy, value: parts.value, entropy: parts.entropy };
  });
}

/**
 * One arena step of the agent, batch `batch`, for rollouts: input x [substeps, B, inputs], outputs
 * `logits` [B, 4] and `value` [B]. The recurrent layer's state is graph state carried between calls
 * (`resetState` starts fresh episodes), so stepping it T times computes what the training model
 * computes on the same T inputs at once.
 */
export function navigationStepModel(agent: NavigationAgentOptions, batch: number): Graph {
  return trace((b) => {
    const x = b.input(NAVIGATION_FEEDS.x, [agent.substeps, batch, arenaInputSize(agent.size)]);
    const carried = new Map<string, Tensor>();
    const { logits, values, finalState } = agentHeads(b, agent, x, (name, initial) => {
      const s = b.state(`agent/${name}`, initial.shape, { kind: 'zeros' });
      carried.set(name, s);
      return s;
    });
    for (const [name, s] of carried) b.setState(s, finalState[name]!);
    return { logits: logits.reshape([batch, NAVIGATION_ACTIONS]), value: values.reshape([batch]) };
  });
}
