import { GraphBuilder, type Graph, type Tensor } from '@spikeflow/core';
import { isPlasticityParam } from '../plasticity/cue-association-network.js';
import { a2cLoss, type A2cLossOptions } from './a2c-loss.js';
import { runPlasticAgent, type PlasticAgentOptions } from './plastic-agent.js';

/** The names of the two agent graphs' interfaces (their params have the same names, so values copy across). */
export const PLASTIC_AGENT = {
  observation: 'observation',
  fresh: 'fresh',
  observations: 'observations',
  actions: 'actions',
  returns: 'returns',
  logits: 'logits',
  value: 'value',
  modulation: 'modulation',
  loss: 'loss',
  policyLoss: 'policyLoss',
  valueLoss: 'valueLoss',
  entropy: 'entropy',
  /** Prefix of the acting graph's state: the recurrent layer's carries between environment steps. */
  carry: 'carry',
} as const;

/**
 * ONE environment step of the agent for B environments side by side: `observation` [B, D] in,
 * policy `logits` [B, A] and critic `value` [B] out (and `modulation` [B] when neuromodulated).
 * The membrane, last outputs, traces and Hebb are state, so Hebb keeps what this episode taught it
 * from step to step; a row whose `fresh` input [B] is 1 starts a new episode (its state reset first).
 * Params are set from the trainer's (`setParams`) with the names of `plasticAgentLossGraph`.
 */
export function plasticAgentActGraph(options: PlasticAgentOptions, batch: number): Graph {
  const b = new GraphBuilder();
  const observation = b.input(PLASTIC_AGENT.observation, [batch, options.observations]);
  const fresh = b.input(PLASTIC_AGENT.fresh, [batch]);
  const states: Tensor[] = [];
  const keepOrReset = (start: Tensor, i: number): Tensor => {
    const state = b.state(`${PLASTIC_AGENT.carry}/${i}`, start.shape);
    states.push(state);
    const row = [batch, ...start.shape.slice(1).map(() => 1)];
    const f = fresh.reshape(row);
    return state.mul(f.mul(-1).add(1)).add(start.mul(f));
  };
  const run = runPlasticAgent(b, observation.reshape([1, batch, options.observations]), options, { initial: (start) => start.map(keepOrReset) });
  states.forEach((state, i) => b.setState(state, run.carries[i]!));
  return b.finish({
    [PLASTIC_AGENT.logits]: run.logits,
    [PLASTIC_AGENT.value]: run.values,
    ...(run.modulation ? { [PLASTIC_AGENT.modulation]: run.modulation.reshape([batch]) } : {}),
  });
}

/**
 * The A2C loss of B whole episodes of T steps, for `trainingGraph` (BPTT through every step and
 * through the plastic updates): `observations` [T, B, D] as the agent saw them, the `actions` it
 * took and the discounted `returns`, both [T·B] time-major (row t·B + b). The agent starts each
 * episode fresh, so replaying the observations reproduces the acting graph's `logits` and `value`
 * (also output, [T·B, A] and [T·B]).
 */
export function plasticAgentLossGraph(options: PlasticAgentOptions, batch: number, steps: number, a2c: A2cLossOptions = {}): Graph {
  const b = new GraphBuilder();
  const observations = b.input(PLASTIC_AGENT.observations, [steps, batch, options.observations]);
  const actions = b.input(PLASTIC_AGENT.actions, [steps * batch], 'i32');
  const returns = b.input(PLASTIC_AGENT.returns, [steps * batch]);
  const run = runPlasticAgent(b, observations, options);
  const parts = a2cLoss(run.logits, run.values, actions, returns, a2c);
  return b.finish({
    [PLASTIC_AGENT.loss]: parts.loss,
    [PLASTIC_AGENT.policyLoss]: parts.policy,
    [PLASTIC_AGENT.valueLoss]: parts.value,
    [PLASTIC_AGENT.entropy]: parts.entropy,
    [PLASTIC_AGENT.logits]: run.logits,
    [PLASTIC_AGENT.value]: run.values,
  });
}

/** The params the agent trains: all of them, except for the non-plastic control, whose α stays 0 and whose plasticity params are unused. */
export function plasticAgentTrainedParams(graph: Graph, options: PlasticAgentOptions): string[] {
  const names = graph.params.map((id) => (graph.nodes[id]!.attrs as { name: string }).name);
  return options.plasticity === 'off' ? names.filter((name) => !isPlasticityParam(name)) : names;
}
