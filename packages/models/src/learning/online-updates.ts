import { grad, gradName } from '@spikeflow/autodiff';
import { copyInterface, fail, formatShape, GraphBuilder, leafName, sameShape, type Graph, type Tensor } from '@spikeflow/core';
import { contractWithSignal, sumOverBatch } from './eligibility.js';
import { feedbackMatrix } from './feedback.js';
import { inlineGraph } from './inline-graph.js';
import { maskedRecurrent, lossWeights, networkStep, NETWORK_INPUTS, weightedCrossEntropy, type NetworkWeights, type OnlineNetwork, type OnlineNetworkConfig } from './network.js';
import { neuronJacobian } from './neuron-jacobian.js';
import type { HiddenGroup, LearningRule, TraceLayout, UpdateSource } from './rule.js';

/**
 * The driver shared by every online rule: ONE forward scan of the network whose carries are the
 * network's state, the rule's traces and the summed updates, so nothing of size T is kept.
 * Per step t: the network step; the per-step loss ℓ_t and its error δ_t = ∂ℓ_t/∂logits_t (by
 * autodiff of the one-step loss); the learning signal L_t = δ_t Bᵀ; the neuron's Jacobian; each
 * hidden group's trace step and update Σ_b e_t ⊙ L_t; the readout's exact update z̄_tᵀ δ_t.
 */

/** The one-step loss and its error, as one small graph inlined into each step. */
function stepErrorGraph(config: OnlineNetworkConfig): Graph {
  const b = new GraphBuilder();
  const logits = b.input('logits', [config.batch, config.outputs]);
  const targets = b.input('targets', [config.batch], 'i32');
  const weights = b.input('weights', [config.batch]);
  return grad(b.finish({ loss: weightedCrossEntropy(logits, targets, weights) }), { of: 'loss', wrt: ['logits'] });
}

/** The model must be the network's: the same inputs and params, by name, shape and dtype. */
function expectNetworkModel(network: OnlineNetwork, model: Graph, loss: string): void {
  const leaves = (g: Graph) => [...g.inputs, ...g.params].map((id) => g.nodes[id]!);
  const expected = new Map(leaves(network.model).map((n) => [leafName(n), n]));
  for (const node of leaves(model)) {
    const want = expected.get(leafName(node));
    const type = node.type as { shape: readonly number[] };
    if (want === undefined) fail('interface', leafName(node), 'the model is not the online network the rule was made for', [...expected.keys()].join(', '), leafName(node));
    const wantShape = (want.type as { shape: readonly number[] }).shape;
    if (!sameShape(type.shape, wantShape)) fail('shape', leafName(node), 'the model is not the online network the rule was made for', formatShape(wantShape), formatShape(type.shape));
  }
  if (model.inputs.length + model.params.length !== expected.size) fail('interface', 'model', 'the model lacks leaves of the online network the rule was made for', String(expected.size), String(model.inputs.length + model.params.length));
  if (loss !== 'loss') fail('interface', 'loss', 'an online network minimises its output `loss`', 'loss', loss);
}

/** Named groups of scan carries, flattened in a fixed order and restored inside the body. */
class CarryLayout {
  private readonly entries: [string, number][] = [];
  readonly initial: Tensor[] = [];

  add(name: string, values: readonly Tensor[]): void {
    this.entries.push([name, values.length]);
    this.initial.push(...values);
  }

  has(name: string): boolean {
    return this.entries.some(([n]) => n === name);
  }

  read(flat: readonly Tensor[]): Map<string, Tensor[]> {
    let at = 0;
    return new Map(this.entries.map(([name, n]) => [name, flat.slice(at, (at += n))]));
  }

  write(values: ReadonlyMap<string, readonly Tensor[]>): Tensor[] {
    return this.entries.flatMap(([name]) => [...values.get(name)!]);
  }
}

function buildUpdateGraph(network: OnlineNetwork, rule: LearningRule, model: Graph, wrt: readonly string[]): Graph {
  const { config, params } = network;
  const { batch, hidden, outputs, steps, readoutDecay: kappa } = config;
  const b = new GraphBuilder();
  const leaves = copyInterface(b, model);
  const leaf = new Map([...leaves].map(([id, t]) => [leafName(model.nodes[id]!), t]));
  const w: NetworkWeights = {
    input: leaf.get(params.input!)!,
    readout: leaf.get(params.readout!)!,
    ...(params.recurrent ? { recurrent: maskedRecurrent(b, leaf.get(params.recurrent)!) } : {}),
    ...(params.bias ? { bias: leaf.get(params.bias)! } : {}),
  };
  const mask = leaf.get(NETWORK_INPUTS.mask)!;
  const feedback = feedbackMatrix(b, rule.feedback, w.readout);
  const errorGraph = stepErrorGraph(config);
  const known = config.neuron.layer(config.neuronAttrs) as Record<string, unknown>;
  const ruleAttrs = Object.fromEntries(Object.entries(rule.jacobianAttrs ?? {}).filter(([k]) => Object.hasOwn(known, k)));
  const jacobian = neuronJacobian(config.neuron, { ...config.neuronAttrs, ...ruleAttrs }, [batch, hidden]);
  const groups: HiddenGroup[] = params.recurrent ? ['input', 'recurrent'] : ['input'];
  const layouts = new Map<HiddenGroup, TraceLayout>(
    groups.map((group) => [group, { group, batch, pre: group === 'input' ? config.inputs : hidden, post: hidden, uniform: jacobian.uniform, states: jacobian.states, readoutDecay: kappa }]),
  );
  const regularize = config.rateRegularization !== undefined;

  const start = config.neuron.initialState(b, [batch, hidden], config.neuronAttrs);
  const carries = new CarryLayout();
  carries.add('state', jacobian.states.map((s) => start[s]!));
  carries.add('z', [b.constant(0, [batch, hidden])]);
  carries.add('y', [b.constant(0, [batch, outputs])]);
  if (kappa > 0) carries.add('zbar', [b.constant(0, [batch, hidden])]);
  for (const [group, layout] of layouts) {
    carries.add(`traces/${group}`, rule.eligibility.initialTraces(b, layout));
    carries.add(`update/${group}`, [b.constant(0, [layout.pre, layout.post])]);
    if (regularize) carries.add(`local/${group}`, [b.constant(0, [layout.pre, layout.post])]);
  }
  carries.add('update/readout', [b.constant(0, [hidden, outputs])]);
  carries.add('update/bias', [b.constant(0, [outputs])]);
  carries.add('loss', [b.constant(0, [])]);
  carries.add('scores', [b.constant(0, [batch, outputs])]);
  if (regularize) carries.add('spikes', [b.constant(0, [hidden])]);

  const { carries: final } = b.scopePath(`${config.scope}/${rule.name}`, () =>
    b.scan({
      carries: carries.initial,
      sequences: [leaf.get(NETWORK_INPUTS.x)!, leaf.get(NETWORK_INPUTS.targets)!, lossWeights(mask), mask],
      body: (bb, carried, [xt, tt, weights, mt]) => {
        const c = carries.read(carried);
        const at = (name: string) => c.get(name)![0]!;
        const state = Object.fromEntries(jacobian.states.map((s, k) => [s, c.get('state')![k]!]));
        const next = networkStep(bb, config, { state, z: at('z'), y: at('y') }, xt!, w);
        const logits = w.bias ? next.y.add(w.bias) : next.y;
        const [stepLoss, delta] = inlineGraph(bb, errorGraph, { logits, targets: tt!, weights: weights! }, ['loss', gradName('logits')]) as [Tensor, Tensor];
        const signal = delta.matmul(feedback.transpose());
        const jac = jacobian.at(bb, state, next.current);
        const out = new Map<string, Tensor[]>([
          ['state', jacobian.states.map((s) => next.state[s]!)],
          ['z', [next.z]],
          ['y', [next.y]],
        ]);
        for (const [group, layout] of layouts) {
          const pre = group === 'input' ? xt! : at('z');
          const r = rule.eligibility.step({ b: bb, layout, pre, jacobian: jac, traces: c.get(`traces/${group}`)! });
          out.set(`traces/${group}`, [...r.traces]);
          out.set(`update/${group}`, [at(`update/${group}`).add(contractWithSignal(r.eligibility, signal))]);
          if (regularize) out.set(`local/${group}`, [at(`local/${group}`).add(sumOverBatch(r.localEligibility ?? r.eligibility))]);
        }
        const zbar = kappa > 0 ? at('zbar').mul(kappa).add(next.z.mul(1 - kappa)) : next.z;
        if (kappa > 0) out.set('zbar', [zbar]);
        out.set('update/readout', [at('update/readout').add(zbar.transpose().matmul(delta))]);
        out.set('update/bias', [at('update/bias').add(delta.sum(0))]);
        out.set('loss', [at('loss').add(stepLoss)]);
        out.set('scores', [at('scores').add(logits.mul(mt!.reshape([batch, 1])))]);
        if (regularize) out.set('spikes', [at('spikes').add(next.z.sum(0))]);
        return { carries: carries.write(out) };
      },
    }),
  );
  const result = carries.read(final);
  const got = (name: string) => result.get(name)![0]!;
  const scores = got('scores').div(mask.sum(0).maximum(1).reshape([batch, 1]));
  let loss = got('loss');
  const updates = new Map<string, Tensor>();
  // The firing-rate term weight · mean_n (r_n − r*)²: ∂/∂z_{t,b,n} = weight · 2 (r_n − r*) / (N·T·B) for every t, b.
  const reg = config.rateRegularization;
  const rateSignal = reg ? b.scope('rate_regularizer', () => {
    const d = got('spikes').div(steps * batch).sub(reg.target);
    loss = loss.add(d.mul(d).mean().mul(reg.weight));
    return d.mul((2 * reg.weight) / (hidden * steps * batch));
  }) : undefined;
  for (const group of groups) {
    const local = rateSignal ? got(`update/${group}`).add(got(`local/${group}`).mul(rateSignal)) : got(`update/${group}`);
    updates.set(params[group]!, group === 'recurrent' ? maskedRecurrent(b, local) : local);
  }
  updates.set(params.readout!, got('update/readout'));
  if (params.bias) updates.set(params.bias, got('update/bias'));

  const gradients = Object.fromEntries(
    wrt.map((name, i) => {
      const u = updates.get(name);
      if (u === undefined) fail('interface', `wrt[${i}]`, `rule '${rule.name}' has no update for '${name}'`, [...updates.keys()].join(', '), name);
      return [gradName(name), u];
    }),
  );
  return b.finish({ loss, scores, ...gradients });
}

/** A rule bound to the network it trains: what `trainingGraph` and the `Trainer` take as `rule`. */
export function onlineUpdates(network: OnlineNetwork, rule: LearningRule): UpdateSource {
  return {
    name: rule.name,
    updateGraph: (model, { loss, wrt }) => {
      expectNetworkModel(network, model, loss);
      return buildUpdateGraph(network, rule, model, wrt);
    },
  };
}
