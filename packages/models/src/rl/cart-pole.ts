import { TaskRng } from '../tasks/task-rng.js';
import { checkStep } from './check-action.js';
import type { BoxSpace, DiscreteSpace, Environment, EnvStep } from './environment.js';

/**
 * The constants of Barto, Sutton & Anderson (1983) as Gymnasium's CartPole-v1 uses them. `length`
 * is the pole's HALF length; `tau` is the Euler step in seconds.
 */
export const CART_POLE = {
  gravity: 9.8,
  cartMass: 1.0,
  poleMass: 0.1,
  length: 0.5,
  forceMag: 10.0,
  tau: 0.02,
  /** Failure beyond ±12°, in radians. */
  thetaLimit: (12 * 2 * Math.PI) / 360,
  xLimit: 2.4,
  maxSteps: 500,
  /** The initial state is uniform in ±0.05 in each of x, ẋ, θ, θ̇. */
  initRange: 0.05,
} as const;

/** The cart-pole state (x, ẋ, θ, θ̇): cart position, velocity, pole angle from upright, angular velocity. */
export type CartPoleState = readonly [number, number, number, number];

/**
 * One Euler step of the cart-pole equations (Barto et al. 1983, as in CartPole-v1) under force
 * +forceMag (action 1) or −forceMag (action 0):
 *   temp = (F + m_p·l·θ̇²·sin θ) / (m_c + m_p)
 *   θ̈ = (g·sin θ − cos θ·temp) / (l·(4/3 − m_p·cos²θ / (m_c + m_p)))
 *   ẍ = temp − m_p·l·θ̈·cos θ / (m_c + m_p)
 * then x += τ·ẋ, ẋ += τ·ẍ, θ += τ·θ̇, θ̇ += τ·θ̈ (explicit Euler: positions move with the old velocities).
 */
export function cartPoleStep(state: CartPoleState, action: 0 | 1): CartPoleState {
  const { gravity, cartMass, poleMass, length, forceMag, tau } = CART_POLE;
  const [x, xDot, theta, thetaDot] = state;
  const force = action === 1 ? forceMag : -forceMag;
  const totalMass = cartMass + poleMass;
  const poleMassLength = poleMass * length;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const temp = (force + poleMassLength * thetaDot * thetaDot * sin) / totalMass;
  const thetaAcc = (gravity * sin - cos * temp) / (length * (4 / 3 - (poleMass * cos * cos) / totalMass));
  const xAcc = temp - (poleMassLength * thetaAcc * cos) / totalMass;
  return [x + tau * xDot, xDot + tau * xAcc, theta + tau * thetaDot, thetaDot + tau * thetaAcc];
}

/** Whether the pole has fallen past ±12° or the cart has left ±2.4 m. */
export function cartPoleFailed(state: CartPoleState): boolean {
  return Math.abs(state[0]) > CART_POLE.xLimit || Math.abs(state[2]) > CART_POLE.thetaLimit;
}

/**
 * Cart-pole balancing: reward 1 for every step taken (the failing step included, as in
 * CartPole-v1), `done` when the pole or cart leaves its range, `truncated` after 500 steps. The
 * state is kept in float64 (Gymnasium keeps float64 too and casts the observation to float32).
 */
export class CartPole implements Environment {
  readonly observationSpace: BoxSpace = {
    kind: 'box',
    shape: [4],
    low: [-2 * CART_POLE.xLimit, -Infinity, -2 * CART_POLE.thetaLimit, -Infinity],
    high: [2 * CART_POLE.xLimit, Infinity, 2 * CART_POLE.thetaLimit, Infinity],
  };
  readonly actionSpace: DiscreteSpace = { kind: 'discrete', n: 2 };
  private state: CartPoleState = [0, 0, 0, 0];
  private steps = 0;
  private running = false;

  reset(seed: number): readonly number[] {
    const rng = new TaskRng(seed);
    const r = CART_POLE.initRange;
    const draw = () => -r + 2 * r * rng.uniform();
    this.state = [draw(), draw(), draw(), draw()];
    this.steps = 0;
    this.running = true;
    return [...this.state];
  }

  /** Starts an episode from a given state (for tests and analysis). */
  resetTo(state: CartPoleState): readonly number[] {
    this.state = state;
    this.steps = 0;
    this.running = true;
    return [...state];
  }

  step(action: number): EnvStep {
    checkStep('cartPole', action, this.actionSpace, this.running);
    this.state = cartPoleStep(this.state, action as 0 | 1);
    this.steps++;
    const done = cartPoleFailed(this.state);
    const truncated = !done && this.steps >= CART_POLE.maxSteps;
    this.running = !done && !truncated;
    return { observation: [...this.state], reward: 1, done, truncated };
  }
}
