/**
 * `npx tsx examples/reproduce/first-steps.ts --backend=wasm|webgpu|cpu [--steps=20] [--seed=1]`:
 * the losses of the first training steps of the sMNIST PSN run (`pnpm reproduce --only=smnist
 * --variants=psn`: same network, budget, data and seed), one per line. Two backends that train the
 * same network should print the same losses to float32 rounding; a final accuracy that differs
 * between backends while these agree comes from rounding growing over the run, not from a step
 * computed differently.
 */
import type { StepRunner, TrainBackend } from '@spikeflow/core';
import { loadMnist, mnistSplit } from '@spikeflow/models';
import { describeChoice } from '@spikeflow/webgpu';
import { backendRequest, chooseBackend } from '../../packages/cli/src/backend-choice.js';
import { SMNIST_ARCH, SMNIST_BUDGET } from './experiments/smnist.js';
import { trainSmnist } from './smnist-training.js';

/** Thrown by the recording step runner once it has the losses asked for, to end the run there. */
class EnoughSteps extends Error {}

/** `inner` with every loss its training steps read back appended to `losses`, stopping after `count`. */
function recordingLosses(inner: TrainBackend, losses: number[], count: number): TrainBackend {
  return {
    name: inner.name,
    compile: (graph, options) => inner.compile(graph, options),
    async compileTrainStep(graph, options) {
      const runner = await inner.compileTrainStep(graph, options);
      const recording: StepRunner = {
        step: (inputs) => runner.step(inputs),
        readState: (names) => runner.readState(names),
        setState: (values) => runner.setState(values),
        destroy: () => runner.destroy(),
        async stepWithLoss(inputs) {
          const loss = await runner.stepWithLoss(inputs);
          losses.push(loss);
          if (losses.length >= count) throw new EnoughSteps();
          return loss;
        },
      };
      return recording;
    },
  };
}

function positiveInteger(args: readonly string[], name: string, fallback: number): number {
  const text = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? String(fallback);
  const value = Number(text);
  if (!Number.isInteger(value) || value < (name === 'seed' ? 0 : 1)) throw new Error(`--${name}: must be a ${name === 'seed' ? 'non-negative' : 'positive'} integer, got '${text}'`);
  return value;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = args.filter((a) => !/^--(backend|steps|seed)=/.test(a));
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')} (use --backend=webgpu|wasm|cpu, --steps=N, --seed=N)`);
  const steps = positiveInteger(args, 'steps', 20);
  const seed = positiveInteger(args, 'seed', 1);
  const chosen = await chooseBackend(backendRequest(args.find((a) => a.startsWith('--backend='))?.slice('--backend='.length)));
  console.error(describeChoice(chosen));
  const losses: number[] = [];
  const backend = recordingLosses(chosen.backend, losses, steps);
  try {
    await trainSmnist({ backend, neuron: 'psn', arch: SMNIST_ARCH, budget: SMNIST_BUDGET, split: mnistSplit(await loadMnist()), seed });
  } catch (error) {
    if (!(error instanceof EnoughSteps)) throw error;
  }
  for (const [k, loss] of losses.entries()) console.log(`${k + 1}\t${loss}`);
  if (chosen.kind === 'webgpu') chosen.ctx.device.destroy();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`first-steps: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
