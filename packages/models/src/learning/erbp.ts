import { gradName } from '@spikeflow/autodiff';
import { copyInterface, fail, GraphBuilder, leafName, sameShape, type Graph, type Tensor } from '@spikeflow/core';
import { contractWithSignal } from './eligibility.js';
import { boxcar, chargedSoma, erbpNeuron, twoCompartmentInput } from './erbp-neuron.js';
import { ERBP_INPUTS, erbpFeedback, rateLoss, rateScores, type ErbpNetwork } from './erbp-network.js';
import type { SynapseEligibility, UpdateSource } from './rule.js';

/**
 * eRBP (Neftci, Augustine, Paul & Detorakis 2017, "Event-driven random back-propagation",
 * Front. Neurosci. 11:324) for the feedforward network of `erbpNetwork`; docs/learning/erbp.md.
 * In the terms of the online-rule interface (rule.ts):
 * - the trace of synapse j → i is the presynaptic activity s_j itself (no memory);
 * - the eligibility is s_j ⊗ Θ(H_i), Θ the boxcar b_min < H < b_max on the charged soma;
 * - the learning signal is the dendritic potential V_i, the error e = z_out − y of the previous
 *   steps integrated through G_l (hidden layer l, fixed random [C, N_l]) or directly (output layer);
 * and the update Σ_t Σ_b s_j Θ(H_i) V_i / (T·B) is summed in ONE forward scan over all layers.
 * The optimizer descends it (ΔW = −η · update), so a synapse onto an output that fires too much
 * (e > 0) is weakened when its presynaptic neuron is active: ΔW_ij ∝ −η V_i Θ(U_i) s_j.
 */
export interface ErbpOptions {
  /** The boxcar's open interval on the charged soma H (default (−θ, 2θ)). */
  readonly gate?: { readonly min: number; readonly max: number };
}

/** The eligibility of one layer's synapses at one step: presynaptic activity ⊗ the boxcar. */
export function erbpEligibility(pre: Tensor, gate: Tensor): SynapseEligibility {
  return { kind: 'outer', terms: [{ pre, post: gate }] };
}

/** The model must be the network's: the same leaves, by name and shape. */
function expectNetworkModel(network: ErbpNetwork, model: Graph, loss: string): void {
  const shapes = (g: Graph) => new Map([...g.inputs, ...g.params].map((id) => [leafName(g.nodes[id]!), (g.nodes[id]!.type as { shape: readonly number[] }).shape]));
  const want = shapes(network.model);
  const got = shapes(model);
  for (const [name, shape] of want) {
    const have = got.get(name);
    if (have === undefined || !sameShape(have, shape)) fail('interface', name, 'the model is not the eRBP network the rule was made for', JSON.stringify(shape), have === undefined ? 'absent' : JSON.stringify(have));
  }
  if (got.size !== want.size) fail('interface', 'model', 'the model has leaves the eRBP network lacks', String(want.size), String(got.size));
  if (loss !== 'loss') fail('interface', 'loss', 'the eRBP network minimises its output `loss`', 'loss', loss);
}

function buildUpdateGraph(network: ErbpNetwork, options: ErbpOptions, model: Graph, wrt: readonly string[]): Graph {
  const { config } = network;
  const { sizes, steps, batch, neuron } = config;
  const threshold = neuron.threshold;
  const gate = options.gate ?? { min: -threshold, max: 2 * threshold };
  const layers = sizes.length - 1;
  const classes = sizes[layers]!;
  const b = new GraphBuilder();
  const leaves = copyInterface(b, model);
  const leaf = new Map([...leaves].map(([id, t]) => [leafName(model.nodes[id]!), t]));
  const x = leaf.get(ERBP_INPUTS.x)!;
  const labels = leaf.get(ERBP_INPUTS.labels)!;
  const weights = network.params.map((name) => leaf.get(name)!);
  const target = labels.oneHot(classes);
  const feedback = weights.slice(0, -1).map((_, l) => erbpFeedback(b, config, l));
  // The image is the same at every step, so the first layer's current and the factor s_j of its
  // update are constant over time: Σ_t x_j Θ V_i = x_j Σ_t Θ V_i, the sum kept as [B, N_0].
  const inputCurrent = x.matmul(weights[0]!);
  const zeros = (shape: number[]) => b.constant(0, shape);
  const state = sizes.slice(1).flatMap((n) => [zeros([batch, n]), zeros([batch, n])]);
  const sums = [zeros([batch, sizes[1]!]), ...weights.slice(1).map((w) => zeros([...w.shape]))];

  const { carries: final } = b.scopePath(`${config.scope}/erbp`, () =>
    b.scan({
      // Per layer u and v; the previous step's error; the update sums; the output's spike and membrane sums.
      carries: [...state, zeros([batch, classes]), ...sums, zeros([batch, classes]), zeros([batch, classes])],
      consts: [inputCurrent, target, ...weights.slice(1), ...feedback],
      body: (bb, carried, _, consts) => {
        const [current0, y] = consts as [Tensor, Tensor];
        const w = consts.slice(2, 2 + layers - 1);
        const g = consts.slice(2 + layers - 1);
        const error = carried[2 * layers]!;
        const sum = carried.slice(2 * layers + 1, 3 * layers + 1);
        const next: Tensor[] = [];
        const nextSum: Tensor[] = [];
        let pre: Tensor | undefined;
        let spikes: Tensor = current0;
        let membrane: Tensor = current0;
        for (let l = 0; l < layers; l++) {
          const somatic = pre === undefined ? current0 : pre.matmul(w[l - 1]!);
          const dendritic = l < layers - 1 ? error.matmul(g[l]!) : error;
          const step = erbpNeuron.step(bb, { u: carried[2 * l]!, v: carried[2 * l + 1]! }, twoCompartmentInput(somatic, dendritic), { attrs: neuron });
          const open = boxcar(chargedSoma(step.state.u, step.output, threshold), gate.min, gate.max);
          const signal = step.state.v;
          nextSum.push(pre === undefined ? sum[0]!.add(open.mul(signal)) : sum[l]!.add(contractWithSignal(erbpEligibility(pre, open), signal)));
          next.push(step.state.u, step.state.v);
          pre = step.output;
          spikes = step.output;
          membrane = step.state.u;
        }
        const rateSum = carried[3 * layers + 1]!;
        const membraneSum = carried[3 * layers + 2]!;
        return { carries: [...next, spikes.sub(y!), ...nextSum, rateSum.add(spikes), membraneSum.add(membrane)] };
      },
      length: steps,
    }),
  );
  const sum = final.slice(2 * layers + 1, 3 * layers + 1);
  const norm = 1 / (steps * batch);
  const updates = new Map(network.params.map((name, l) => [name, (l === 0 ? x.transpose().matmul(sum[0]!) : sum[l]!).mul(norm)]));
  const rates = final[3 * layers + 1]!.div(steps);
  const gradients = Object.fromEntries(
    wrt.map((name, i) => {
      const u = updates.get(name);
      if (u === undefined) fail('interface', `wrt[${i}]`, `eRBP has no update for '${name}'`, [...updates.keys()].join(', '), name);
      return [gradName(name), u];
    }),
  );
  return b.finish({ loss: rateLoss(rates, labels), scores: rateScores(rates, final[3 * layers + 2]!.div(steps)), ...gradients });
}

/** eRBP for `network`: pass as `rule` to `trainingGraph` or the `Trainer` (with `network.model`). */
export function erbp(network: ErbpNetwork, options: ErbpOptions = {}): UpdateSource {
  if (options.gate && !(options.gate.min < options.gate.max)) fail('spec', 'erbp.gate', 'the boxcar is open on min < H < max', 'min < max', `${options.gate.min} .. ${options.gate.max}`);
  return {
    name: 'erbp',
    updateGraph: (model, { loss, wrt }) => {
      expectNetworkModel(network, model, loss);
      return buildUpdateGraph(network, options, model, wrt);
    },
  };
}
