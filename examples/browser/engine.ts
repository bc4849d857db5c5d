import { evaluate, toArray, type FeedValue, type Graph, type HostTensor } from '@spikeflow/core';
import { compile, compileTrainStep, type Backend, type CompileProgressCallback } from '@spikeflow/webgpu';
import { probeOutputNames, type Demo } from './demos/index.js';

/** What trains the demo: the GPU executables, or the CPU reference interpreter. */
export interface Engine {
  step(feeds: Readonly<Record<string, FeedValue>>): Promise<number>;
  /** The probe graph's outputs on `feeds` with the current params. */
  probe(feeds: Readonly<Record<string, FeedValue>>): Promise<Record<string, HostTensor>>;
  param(name: string): Promise<HostTensor>;
  /** Every state of the training graph (params, optimizer slots, step counter), as a checkpoint holds it. */
  readState(): Promise<Record<string, HostTensor>>;
  /** Replaces the training state, e.g. with a checkpoint's (already checked against the graph). */
  setState(values: Readonly<Record<string, HostTensor>>): void;
}

const namesOf = (g: Graph, ids: readonly string[]): string[] => ids.map((id) => (g.nodes[id]!.attrs as { name: string }).name);
const paramNames = (g: Graph): string[] => namesOf(g, g.params);

/** The feeds the probe takes: a training batch also holds labels or targets, which the probe graph has no input for. */
function probeFeeds(probe: Graph, feeds: Readonly<Record<string, FeedValue>>): Record<string, FeedValue> {
  const names = new Set(namesOf(probe, probe.inputs));
  return Object.fromEntries(Object.entries(feeds).filter(([name]) => names.has(name)));
}

/** `onCompileProgress` hears the GPU kernels of the step, then of the probe, being compiled. */
export async function createEngine(demo: Demo, backend: Backend, seed: number, onCompileProgress?: CompileProgressCallback): Promise<Engine> {
  return backend.kind === 'webgpu' ? gpuEngine(demo, backend.ctx.device, seed, onCompileProgress) : cpuEngine(demo, seed);
}

async function gpuEngine(demo: Demo, device: GPUDevice, seed: number, onCompileProgress?: CompileProgressCallback): Promise<Engine> {
  const step = await compileTrainStep(demo.train, device, { seed, onCompileProgress });
  const probe = await compile(demo.probe, device, { onCompileProgress });
  const names = paramNames(demo.probe);
  return {
    step: (feeds) => step.stepWithLoss(feeds),
    async probe(feeds) {
      probe.setParams(await step.readState(names));
      return probe.run(probeFeeds(demo.probe, feeds), probeOutputNames(demo));
    },
    param: async (name) => (await step.readState([name]))[name]!,
    readState: () => step.readState(),
    setState: (values) => step.setState(values),
  };
}

function cpuEngine(demo: Demo, seed: number): Engine {
  let state: Record<string, HostTensor> | undefined;
  const names = paramNames(demo.probe);
  return {
    async step(feeds) {
      const out = evaluate(demo.train, { inputs: feeds, ...(state ? { state } : {}) }, { seed });
      state = { ...out.state };
      return toArray(out.outputs.loss!)[0]!;
    },
    async probe(feeds) {
      const params = state ? Object.fromEntries(names.map((n) => [n, state![n]!])) : undefined;
      return evaluate(demo.probe, { inputs: probeFeeds(demo.probe, feeds), ...(params ? { params } : {}) }, { seed }).outputs;
    },
    async param(name) {
      if (!state) throw new Error('no params before the first step');
      return state[name]!;
    },
    async readState() {
      if (!state) throw new Error('no training state before the first step');
      return { ...state };
    },
    setState(values) {
      state = { ...state, ...values };
    },
  };
}
