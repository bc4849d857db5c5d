import type { Graph, GraphBuilder, Tensor } from '@spikeflow/core';

/**
 * Online learning rules: learning without BPTT. A rule's eligibility traces are carries of the
 * forward scan, and its weight update is summed per step into carries of the same scan, so the
 * memory of a training step does not grow with the sequence length T. The training graph reads
 * the summed updates exactly as it reads gradients (outputs `grad/<param>`), so SGD and Adam
 * consume them unchanged.
 *
 * The network a rule trains is one recurrent layer of N neurons made with `defineNeuron` and a
 * leaky readout (see network.ts); its weights fall into three synapse groups, each a matrix
 * [N_pre, N_post] applied as `pre @ W`.
 */

/** `input`: x_t → neurons; `recurrent`: z_{t−1} → neurons; `readout`: z_t → outputs. */
export type SynapseGroup = 'input' | 'recurrent' | 'readout';

/** The groups whose postsynaptic side is a hidden neuron (trained through a learning signal). */
export type HiddenGroup = Exclude<SynapseGroup, 'readout'>;

/**
 * One entry of a neuron's one-step Jacobian, per neuron and batch element: a number when it is the
 * same for every neuron at every step (0 when no path exists), else a [B, N] tensor of this step.
 */
export type JacobianEntry = number | Tensor;

/**
 * The one-step Jacobian of a neuron (k state variables s, input current I, spike z) at step t,
 * derived by autodiff from its `defineNeuron` step (the spike's surrogate is the pseudo-derivative).
 * Neuron dynamics are elementwise, so each entry is a diagonal: one value per neuron.
 */
export interface StepJacobian {
  /** The state variables, in the order of the rows and columns below. */
  readonly states: readonly string[];
  /** D_t[a][b] = ∂s_t[a] / ∂s_{t−1}[b]. */
  readonly stateToState: readonly (readonly JacobianEntry[])[];
  /** c_t[a] = ∂s_t[a] / ∂I_t. */
  readonly inputToState: readonly JacobianEntry[];
  /** g_t[b] = ∂z_t / ∂s_{t−1}[b]. */
  readonly stateToSpike: readonly JacobianEntry[];
  /** h_t = ∂z_t / ∂I_t. */
  readonly inputToSpike: JacobianEntry;
  /**
   * Every entry of D and c is a number: the state's sensitivity to a synapse then depends only on
   * the presynaptic input, so traces factorise into presynaptic traces [B, N_pre] (LIF).
   */
  readonly uniform: boolean;
}

/**
 * The eligibility e_t[b, j, i] of the synapses j → i of a group at step t:
 * - `outer`: Σ_r pre_r[b, j] · post_r[b, i], never materialised as [B, N_pre, N_post];
 * - `full`: the tensor [B, N_pre, N_post].
 */
export type SynapseEligibility =
  | { readonly kind: 'outer'; readonly terms: readonly { readonly pre: Tensor; readonly post: Tensor }[] }
  | { readonly kind: 'full'; readonly value: Tensor };

/** The sizes a group's traces are laid out for. */
export interface TraceLayout {
  readonly group: HiddenGroup;
  readonly batch: number;
  readonly pre: number;
  readonly post: number;
  /** The neuron's one-step Jacobian has only number entries in D and c (see StepJacobian.uniform). */
  readonly uniform: boolean;
  /** The neuron's state variables (k). */
  readonly states: readonly string[];
  /** κ, the decay of the network's leaky readout y_t = κ y_{t−1} + (1 − κ) z_t W_out (0: no leak). */
  readonly readoutDecay: number;
}

/** What a rule's trace step sees at step t, inside the forward scan's body. */
export interface TraceStepContext {
  /** The scan body's builder. */
  readonly b: GraphBuilder;
  readonly layout: TraceLayout;
  /** This step's presynaptic activity [B, N_pre] (x_t for `input`, z_{t−1} for `recurrent`). */
  readonly pre: Tensor;
  readonly jacobian: StepJacobian;
  /** The group's traces after step t − 1, in the order `initialTraces` made them. */
  readonly traces: readonly Tensor[];
}

export interface TraceStepResult {
  /** The traces after step t (same order, shapes and dtypes). */
  readonly traces: readonly Tensor[];
  /** The eligibility that meets this step's learning signal. */
  readonly eligibility: SynapseEligibility;
  /**
   * The eligibility a local regulariser (the firing-rate term) meets, when it differs from
   * `eligibility` (e-prop: the trace before the readout's filter κ). Default `eligibility`.
   */
  readonly localEligibility?: SynapseEligibility;
}

/** (a) A hidden group's eligibility traces: their initial values and their one-step dynamics. */
export interface EligibilityRule {
  initialTraces(b: GraphBuilder, layout: TraceLayout): Tensor[];
  step(ctx: TraceStepContext): TraceStepResult;
}

/**
 * (b) How the per-step output error δ_t = ∂ℓ_t/∂y_t [B, C] reaches the hidden neurons as the
 * learning signal L_t = δ_t Bᵀ [B, N]:
 * - `symmetric`: B = W_out (the readout's current weights; e-prop's symmetric feedback);
 * - `random`: B fixed, drawn N(0, scale²/C) from `seed` once (random e-prop, feedback alignment).
 * With one hidden layer, direct feedback (an error sent straight to every layer) is `random`.
 */
export type Feedback = { readonly kind: 'symmetric' } | { readonly kind: 'random'; readonly seed: number; readonly scale?: number };

/**
 * An online learning rule: the eligibility traces of the hidden groups and the feedback carrying
 * the learning signal. (c) Trace × signal becomes the update Σ_t Σ_b e_t[b, j, i] · L_t[b, i] of
 * W[j, i], summed inside the scan; the readout learns by its exact local gradient Σ_t z̄_tᵀ δ_t
 * (z̄ the readout-filtered spikes). A firing-rate term in the network's loss gets the local update
 * Σ_t Σ_b e_t[b, j, i] · ∂E_reg/∂z[i] from each step's `localEligibility`.
 */
export interface LearningRule {
  readonly name: string;
  readonly eligibility: EligibilityRule;
  readonly feedback: Feedback;
  /**
   * Settings the rule fixes on the neuron when its Jacobian is derived (e.g. e-prop's
   * `detachReset: true`): they only stop gradients, so the forward values are unchanged.
   */
  readonly jacobianAttrs?: Readonly<Record<string, unknown>>;
}

/**
 * What `trainingGraph` accepts in place of BPTT: from the model, a graph with the model's
 * interface whose outputs are the loss and one update per trained param, named and shaped as
 * `valueAndGrad` names and shapes gradients (`grad/<param>`).
 */
export interface UpdateSource {
  readonly name: string;
  updateGraph(model: Graph, options: { readonly loss: string; readonly wrt: readonly string[] }): Graph;
}
