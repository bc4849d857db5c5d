// A training backend that writes one NaN into one state value after a given step, as a bad update
// would: the trainer's non-finite checks must then stop the run, naming the state and the step.
import type { StepRunner, TrainBackend } from '@spikeflow/core';

export interface Poison {
  /** After this many steps (each read back its loss: the trainer's default). */
  readonly afterStep: number;
  readonly state: string;
  /** The element set to NaN. */
  readonly index: number;
}

function poisoned(runner: StepRunner, poison: Poison): StepRunner {
  let steps = 0;
  return {
    step: (inputs) => {
      steps++;
      runner.step(inputs);
    },
    stepWithLoss: async (inputs) => {
      const loss = await runner.stepWithLoss(inputs);
      if (++steps === poison.afterStep) {
        const t = (await runner.readState([poison.state]))[poison.state]!;
        const data = t.data.slice();
        data[poison.index] = Number.NaN;
        runner.setState({ [poison.state]: { type: t.type, data } });
      }
      return loss;
    },
    readState: (names) => runner.readState(names),
    setState: (values) => runner.setState(values),
    ...(runner.countNonFinite === undefined ? {} : { countNonFinite: (names: readonly string[]) => runner.countNonFinite!(names) }),
    destroy: () => runner.destroy(),
  };
}

export function poisonedBackend(backend: TrainBackend, poison: Poison): TrainBackend {
  return {
    name: backend.name,
    compileTrainStep: async (graph, options) => poisoned(await backend.compileTrainStep(graph, options), poison),
    compile: (graph, options) => backend.compile(graph, options),
  };
}
