import type { FeedValue, Graph, HostTensor, Runner, TrainBackend } from '@spikeflow/core';
import type { Demo } from './demos/index.js';

/** What trains the demo: its training step and probe, compiled on the page's backend (WebGPU, WebAssembly or the CPU interpreter). */
export interface Engine {
  step(feeds: Readonly<Record<string, FeedValue>>): Promise<number>;
  /** The probe graph's outputs on `feeds` with the current params. */
  probe(feeds: Readonly<Record<string, FeedValue>>): Promise<Record<string, HostTensor>>;
  param(name: string): Promise<HostTensor>;
  /** Every state of the training graph (params, optimizer slots, step counter), as a checkpoint holds it. */
  readState(): Promise<Record<string, HostTensor>>;
  /** Replaces the training state, e.g. with a checkpoint's (already checked against the graph). */
  setState(values: Readonly<Record<string, HostTensor>>): void;
  /** Frees the compiled graphs (GPU buffers, or the WebAssembly backend's memory and threads). */
  destroy(): void;
}

const namesOf = (g: Graph, ids: readonly string[]): string[] => ids.map((id) => (g.nodes[id]!.attrs as { name: string }).name);

/** The feeds the probe takes: a training batch also holds labels or targets, which the probe graph has no input for. */
function probeFeeds(probe: Graph, feeds: Readonly<Record<string, FeedValue>>): Record<string, FeedValue> {
  const names = new Set(namesOf(probe, probe.inputs));
  return Object.fromEntries(Object.entries(feeds).filter(([name]) => names.has(name)));
}

/**
 * Compiles the demo's training step and probe on `backend`, its params initialized from `seed`.
 * The probe runs with the step's current params, read from the step's state before each probe.
 */
export async function createEngine(demo: Demo, backend: TrainBackend, seed: number): Promise<Engine> {
  const step = await backend.compileTrainStep(demo.train, { seed });
  let probe: Runner;
  try {
    probe = await backend.compile(demo.probe, { seed });
  } catch (error) {
    step.destroy();
    throw error;
  }
  const params = namesOf(demo.probe, demo.probe.params);
  return {
    step: (feeds) => step.stepWithLoss(feeds),
    async probe(feeds) {
      probe.setParams(await step.readState(params));
      // Every output: the probe graph outputs only what the page shows (scores, spikes, membranes).
      return probe.run(probeFeeds(demo.probe, feeds));
    },
    param: async (name) => (await step.readState([name]))[name]!,
    readState: () => step.readState(),
    setState: (values) => step.setState(values),
    destroy() {
      step.destroy();
      probe.destroy();
    },
  };
}
