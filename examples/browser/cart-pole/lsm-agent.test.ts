// The agent's bookkeeping: each reported return is the number of environment steps of its episode
// (CartPole pays 1 per step), counted here from the steps the agent reports, and the reservoir's
// features are spike counts over its 8 steps, divided by 8.
import { describe, expect, it } from 'vitest';
import { CART_POLE_AGENT, LsmCartPoleAgent } from './lsm-agent.js';

describe('the cart-pole LSM agent', () => {
  it('reports each episode with the return of the steps it took, and features that are spike counts over the reservoir steps', async () => {
    const agent = await LsmCartPoleAgent.create(1);
    const returns: number[] = [];
    let stepsInEpisode = 0;
    let fired = 0;
    // Past the warm-up, so the readout's updates run too.
    while (agent.envSteps < CART_POLE_AGENT.warmupSteps + 200) {
      const step = await agent.step();
      const counts = Array.from(step.features, (f) => f * CART_POLE_AGENT.reservoirSteps);
      expect(counts.every((c) => Math.abs(c - Math.round(c)) < 1e-5 && c >= 0 && c <= CART_POLE_AGENT.reservoirSteps)).toBe(true);
      fired += counts.filter((c) => c > 0.5).length;
      if (step.episodeReturn === undefined) stepsInEpisode++;
      else {
        expect(step.episodeReturn).toBe(stepsInEpisode);
        returns.push(step.episodeReturn);
        stepsInEpisode = 0;
      }
    }
    expect(returns.length).toBeGreaterThan(5);
    expect(returns.reduce((a, r) => a + r, 0) + stepsInEpisode).toBe(agent.envSteps);
    expect(fired, 'the reservoir spikes').toBeGreaterThan(0);
    expect(Array.from(agent.readout()).some((w) => w !== 0), 'the readout learned something past the warm-up').toBe(true);
  }, 120_000);
});
