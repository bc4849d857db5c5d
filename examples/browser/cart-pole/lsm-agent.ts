// A liquid state machine balancing a cart-pole, one environment step at a time so the page can draw
// each: the models' LSM graph (population code -> recurrent LIF reservoir -> linear Q readout) acts
// ε-greedily, transitions go to a replay buffer, and the readout alone learns by DQN (the models'
// DqnReadout: Huber TD loss, a target copy refreshed every so many updates). Both
// graphs are small and called every step, so they run on the CPU interpreter: a GPU round trip per
// environment step would cost more than the work.
import { cpuBackend, type Runner } from '@spikeflow/core';
import { CART_POLE, CartPole, DqnReadout, epsilonGreedy, linearEpsilon, liquidStateMachineGraph, LSM, ReplayBuffer, reservoirWeights, TaskRng, type ReservoirOptions } from '@spikeflow/models';

/** The agent's settings: a smaller reservoir and faster schedule than the reproduction run, to learn visibly within a minute or two. */
export const CART_POLE_AGENT = {
  reservoir: { neurons: 100, input: { p: 0.1, w: 0.6 }, ee: { p: 0.1, w: 0.05 }, ei: { p: 0.1, w: 0.1 }, ie: { p: 0.2, w: 0.15 }, ii: { p: 0.1, w: 0.05 } } satisfies Omit<ReservoirOptions, 'inputs'>,
  fieldsPerDimension: 10,
  reservoirSteps: 8,
  tau: 4,
  gamma: 0.99,
  lr: 1e-3,
  batch: 32,
  bufferCapacity: 20_000,
  warmupSteps: 500,
  targetUpdateSteps: 250,
  epsilon: { start: 1, end: 0.05, decaySteps: 5_000 },
  huberDelta: 1,
} as const;

/** The ranges the population code tiles per observation dimension (x, ẋ, θ, θ̇): the failure bounds for x and θ. */
const RANGES = { low: [-CART_POLE.xLimit, -3, -CART_POLE.thetaLimit, -3.5], high: [CART_POLE.xLimit, 3, CART_POLE.thetaLimit, 3.5] };

/** What one environment step shows: the cart-pole's state, the reservoir's spike counts, and a finished episode's return. */
export interface AgentStep {
  readonly observation: readonly number[];
  /** Spikes of each reservoir neuron in this step's reservoir run, divided by its steps. */
  readonly features: Float32Array;
  readonly epsilon: number;
  readonly episodeReturn?: number;
}

interface Pending {
  readonly state: Float32Array;
  readonly action: number;
  readonly reward: number;
  readonly done: boolean;
}

export class LsmCartPoleAgent {
  private readonly env = new CartPole();
  private readonly buffer: ReplayBuffer;
  private readonly rng: TaskRng;
  private observation: readonly number[];
  private fresh = true;
  private ending = false;
  private pending: Pending | undefined;
  private total = 0;
  private episodes = 0;
  private counter = 0;
  envSteps = 0;

  private constructor(private readonly lsm: Runner, private readonly learner: DqnReadout, private readonly seed: number) {
    this.buffer = new ReplayBuffer(CART_POLE_AGENT.bufferCapacity, CART_POLE_AGENT.reservoir.neurons, seed);
    this.rng = new TaskRng(seed, 3);
    this.observation = this.env.reset(this.episodeSeed());
  }

  static async create(seed: number): Promise<LsmCartPoleAgent> {
    const a = CART_POLE_AGENT;
    const weights = reservoirWeights({ ...a.reservoir, inputs: 4 * a.fieldsPerDimension }, seed);
    const encoding = { ...RANGES, neurons: a.fieldsPerDimension, steps: a.reservoirSteps, code: 'current' as const, seed };
    const backend = cpuBackend();
    const lsm = await backend.compile(liquidStateMachineGraph({ batch: 1, observations: 4, actions: 2, weights, tau: a.tau, encoding }), { seed });
    const learner = await DqnReadout.create(backend, { batch: a.batch, features: a.reservoir.neurons, actions: 2, gamma: a.gamma, huberDelta: a.huberDelta, targetUpdateSteps: a.targetUpdateSteps, seed });
    return new LsmCartPoleAgent(lsm, learner, seed);
  }

  private episodeSeed(): number {
    return this.seed * 1_000_000 + ++this.episodes;
  }

  /**
   * One environment step: the reservoir reads the observation, the transition that waited for these
   * features is stored, and the agent acts (or, after an episode ended, starts the next one).
   */
  async step(): Promise<AgentStep> {
    const a = CART_POLE_AGENT;
    const out = await this.lsm.run({ [LSM.observation]: this.observation, [LSM.fresh]: [this.fresh ? 1 : 0], [LSM.counter]: this.counter++ });
    const features = Float32Array.from(out[LSM.features]!.data as Float32Array);
    const q = out[LSM.q]!.data as Float32Array;
    // A time-limit cut-off is not terminal: its `done` stays false, so its value is bootstrapped.
    if (this.pending) this.buffer.push({ ...this.pending, nextState: features });
    this.pending = undefined;
    this.fresh = false;
    const epsilon = this.envSteps < a.warmupSteps ? 1 : linearEpsilon(this.envSteps - a.warmupSteps, a.epsilon.start, a.epsilon.end, a.epsilon.decaySteps);
    if (this.ending) {
      const episodeReturn = this.total;
      const last = this.observation;
      this.observation = this.env.reset(this.episodeSeed());
      [this.fresh, this.ending, this.total] = [true, false, 0];
      return { observation: last, features, epsilon, episodeReturn };
    }
    const action = epsilonGreedy(q, epsilon, this.rng);
    const result = this.env.step(action);
    this.envSteps++;
    this.total += result.reward;
    this.pending = { state: features, action, reward: result.reward, done: result.done };
    this.observation = result.observation;
    this.ending = result.done || result.truncated;
    if (this.envSteps >= a.warmupSteps) await this.learn();
    return { observation: this.observation, features, epsilon };
  }

  /** One DQN update of the readout on a replay batch; the LSM graph then acts with the new readout. */
  private async learn(): Promise<void> {
    const readout = await this.learner.update(this.buffer.sample(CART_POLE_AGENT.batch), CART_POLE_AGENT.lr);
    this.lsm.setParams({ [LSM.readoutW]: readout.w, [LSM.readoutB]: readout.b });
  }

  /** The readout's weights [neurons, 2], for a heat map. */
  readout(): Float32Array {
    return this.learner.readout.w;
  }
}
