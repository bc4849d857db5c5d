import { fail, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { lif } from '../layers/lif.js';
import { buildLinear, linear } from '../layers/linear.js';
import { plasticRecurrent, runPlasticRecurrent, type PlasticRecurrentRunOptions, type PlasticRecurrentSpec } from '../plasticity/plastic-recurrent.js';
import type { PlasticUnit } from '../plasticity/unit.js';

/**
 * How the agent's recurrent synapses learn within an episode:
 * - 'neuromodulated': Hebb ← clip(Hebb + M(t)·pre ⊗ post, ±c), M(t) = tanh(s_t·w_M + b_M), the
 *   network's own neuromodulatory output (Backpropamine; SpikePropamine with spiking units);
 * - 'fixed': the same rule with M(t) replaced by a constant η (plastic, not neuromodulated);
 * - 'off': α = 0, so W_eff = W (the non-plastic control; train it without the plasticity params).
 */
export const AGENT_PLASTICITY = ['neuromodulated', 'fixed', 'off'] as const;
export type AgentPlasticity = (typeof AGENT_PLASTICITY)[number];

export interface PlasticAgentOptions {
  /** Observation length D. */
  readonly observations: number;
  readonly actions: number;
  readonly hidden: number;
  readonly plasticity: AgentPlasticity;
  /** The hidden units: LIF by default (`spikingAgentUnit`); tanh gives the smooth rate network of Backpropamine. */
  readonly unit?: PlasticUnit;
  /** η of the 'fixed' rule (default 0.1). */
  readonly eta?: number;
  /** The clip bound c of Hebb (default 1). */
  readonly clip?: number;
  /** α starts uniform in ±alphaInit (default 0.1); the 'off' agent starts and stays at 0. */
  readonly alphaInit?: number;
  /** λ of the pre- and postsynaptic spike traces the rule sees (SpikePropamine); null: the spikes themselves (default 0.5). */
  readonly traceDecay?: number | null;
  /** Multiplies the init bounds of W_in and W (spikes need a drive above threshold; default 2). */
  readonly initScale?: number;
}

/** LIF units for the agent: v ← (1 − 1/4)·v + I, a spike and a hard reset (without gradient) at 1. */
export const spikingAgentUnit = (): PlasticUnit => lif({ tau: 4, decayInput: false, detachReset: true });

/** The param scopes of the agent: the plastic recurrent layer, the actor and the critic. */
export const PLASTIC_AGENT_SCOPES = { recurrent: 'rec', policy: 'policy', value: 'value' } as const;

/** The plastic recurrent layer's spec for these options. */
export function plasticAgentLayer(options: PlasticAgentOptions): PlasticRecurrentSpec {
  const { observations, actions, hidden, plasticity, eta = 0.1, clip = 1, alphaInit = 0.1, traceDecay = 0.5, initScale = 2 } = options;
  for (const [name, v] of [['observations', observations], ['actions', actions], ['hidden', hidden]] as const) {
    if (!Number.isInteger(v) || v < 1) fail('attr', `plasticAgent.${name}`, 'must be a positive integer', '>= 1', String(v));
  }
  if (!AGENT_PLASTICITY.includes(plasticity)) fail('attr', 'plasticAgent.plasticity', 'unknown plasticity', AGENT_PLASTICITY.join(', '), String(plasticity));
  return plasticRecurrent(observations, hidden, {
    bias: true,
    initScale,
    unit: options.unit ?? spikingAgentUnit(),
    plasticity: {
      rule: 'hebb',
      update: 'clip',
      clip,
      traceDecay,
      eta: plasticity === 'neuromodulated' ? 'neuromodulated' : 'fixed',
      etaInit: eta,
      alphaInit: plasticity === 'off' ? 0 : alphaInit,
    },
  });
}

/** What the agent computed over a stretch of steps, rows time-major (row t·B + b). */
export interface PlasticAgentRun {
  /** Policy logits [T·B, actions]. */
  readonly logits: Tensor;
  /** Critic values [T·B]. */
  readonly values: Tensor;
  /** M(t) [T, B], for the neuromodulated agent. */
  readonly modulation?: Tensor;
  /** The hidden units' outputs (spikes for LIF) [T, B, hidden]. */
  readonly hidden: Tensor;
  /** The recurrent layer's carries after the last step (membrane, h, trace, Hebb). */
  readonly carries: readonly Tensor[];
}

/**
 * The actor-critic agent over observations x [T, B, D]: a recurrent layer with plastic recurrent
 * synapses W + α ⊙ Hebb (`plasticAgentLayer`), then linear actor and critic heads on its outputs
 * at every step. `run.initial` starts it from carried state instead of a fresh episode.
 */
export function runPlasticAgent(b: GraphBuilder, x: Tensor, options: PlasticAgentOptions, run: Pick<PlasticRecurrentRunOptions, 'initial'> = {}): PlasticAgentRun {
  const layer = plasticAgentLayer(options);
  const [steps, batch] = x.shape as [number, number, number];
  const rec = b.scope(PLASTIC_AGENT_SCOPES.recurrent, () => runPlasticRecurrent(b, x, layer, run));
  const flat = rec.outputs.reshape([steps * batch, options.hidden]);
  const logits = b.scope(PLASTIC_AGENT_SCOPES.policy, () => buildLinear(b, flat, linear(options.hidden, options.actions, { bias: true })));
  const values = b.scope(PLASTIC_AGENT_SCOPES.value, () => buildLinear(b, flat, linear(options.hidden, 1, { bias: true }))).reshape([steps * batch]);
  return { logits, values, modulation: rec.modulation, hidden: rec.outputs, carries: rec.carries };
}
