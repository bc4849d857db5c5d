// The page's cart-pole panel: Run starts the LSM agent, which steps the environment a few times per
// animation frame and draws the cart, the episode returns (with a random policy's mean as a
// reference line) and the reservoir's spikes over the last environment steps; Stop ends it.
import type { HostTensor } from '@spikeflow/core';
import { CartPole, randomPolicyReturn } from '@spikeflow/models';
import { linesSpec } from '../lines-spec.js';
import { LivePlot } from '../live-plot.js';
import { spikeRasterSpec, weightsSpec } from '../plots.js';
import { drawCartPole } from './cart-drawing.js';
import { CART_POLE_AGENT, LsmCartPoleAgent } from './lsm-agent.js';

/** What the panel exposes on `window.__spikeflowCartPole`, for a test (or a console) to follow the run. */
export interface CartPoleProgress {
  phase: 'idle' | 'compiling' | 'running' | 'done' | 'error';
  envSteps: number;
  returns: number[];
  /** Animation frames drawn. */
  frames: number;
  error?: string;
}

export const CART_POLE_GLOBAL = '__spikeflowCartPole';
/** Episodes over which a random policy's mean return is measured for the reference line. */
const RANDOM_POLICY_EPISODES = 1000;
/** The mean return of uniformly random actions on this cart-pole, measured once (about 22). */
export const RANDOM_POLICY_RETURN = Math.round(10 * randomPolicyReturn(new CartPole(), RANDOM_POLICY_EPISODES, 1)) / 10;
/** Milliseconds of environment steps per animation frame: enough to learn within a minute or two, little enough to keep the page responsive. */
const FRAME_BUDGET_MS = 30;
/** Environment steps the raster shows. */
const RASTER_WINDOW = 60;
const SEED = 1;

/** Wires the panel's buttons and canvases; `nextFrame` yields to the browser between frames. */
export function initCartPolePanel(nextFrame: () => Promise<void>): void {
  const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
  const progress: CartPoleProgress = { phase: 'idle', envSteps: 0, returns: [], frames: 0 };
  (globalThis as Record<string, unknown>)[CART_POLE_GLOBAL] = progress;
  const [run, stop] = [$<HTMLButtonElement>('cartpole-run'), $<HTMLButtonElement>('cartpole-stop')];
  let stopRequested = false;
  const plots = { returns: new LivePlot($('cartpole-returns')), raster: new LivePlot($('cartpole-raster')), readout: new LivePlot($('cartpole-readout')) };

  async function start(): Promise<void> {
    Object.assign(progress, { phase: 'compiling', envSteps: 0, returns: [], frames: 0 });
    delete progress.error;
    [run.disabled, stop.disabled, stopRequested] = [true, false, false];
    const n = CART_POLE_AGENT.reservoir.neurons;
    const recent: Float32Array[] = [];
    try {
      $('cartpole-status').textContent = 'building the reservoir and the readout learner…';
      const agent = await LsmCartPoleAgent.create(SEED);
      progress.phase = 'running';
      let epsilon = 1;
      let observation: readonly number[] = [];
      while (!stopRequested) {
        const frameEnd = performance.now() + FRAME_BUDGET_MS;
        while (performance.now() < frameEnd) {
          const step = await agent.step();
          ({ observation, epsilon } = step);
          recent.push(step.features);
          if (recent.length > RASTER_WINDOW) recent.shift();
          if (step.episodeReturn !== undefined) progress.returns.push(step.episodeReturn);
        }
        progress.envSteps = agent.envSteps;
        const returns = progress.returns;
        const last = returns.slice(-20);
        const mean = last.reduce((a, r) => a + r, 0) / Math.max(last.length, 1);
        drawCartPole($('cartpole-cart'), observation, `episode ${returns.length + 1}, ε ${epsilon.toFixed(2)}`);
        // Drawn at most every REDRAW_MS (live-plot.ts), from the state as it is then.
        plots.returns.show(() => linesSpec({ xTitle: 'episode', yTitle: 'return', lines: [{ name: 'episode return', values: returns }], reference: { label: `random policy (${RANDOM_POLICY_RETURN})`, value: RANDOM_POLICY_RETURN } }));
        const shown = recent.slice();
        plots.raster.show(() => {
          // A feature counts a neuron's spikes over the reservoir's steps within one environment step; the raster marks whether it spiked.
          const spikes: HostTensor = { type: { dtype: 'f32', shape: [shown.length, 1, n] }, data: Float32Array.from(shown.flatMap((f) => Array.from(f, (count) => (count > 0 ? 1 : 0)))) };
          return spikeRasterSpec(spikes, 1, 'reservoir');
        });
        plots.readout.show(() => weightsSpec({ type: { dtype: 'f32', shape: [n, 2] }, data: agent.readout() }, { rows: 'reservoir neuron', cols: 'action' }));
        $('cartpole-status').textContent = `${agent.envSteps} steps, ${returns.length} episodes — mean return of the last ${last.length}: ${mean.toFixed(1)} (random policy ≈ ${RANDOM_POLICY_RETURN})`;
        progress.frames++;
        await nextFrame();
      }
      await Promise.all(Object.values(plots).map((p) => p.flush()));
      progress.phase = 'done';
      $('cartpole-status').textContent += ' — stopped';
    } catch (error) {
      progress.phase = 'error';
      progress.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(error);
      $('cartpole-status').textContent = `error: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`;
    } finally {
      [run.disabled, stop.disabled] = [false, true];
    }
  }

  run.addEventListener('click', () => void start());
  stop.addEventListener('click', () => (stopRequested = true));
}
