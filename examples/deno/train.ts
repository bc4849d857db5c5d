/**
 * Trains a small spiking classifier on the evidence-accumulation task in Deno, on WebGPU on a
 * hardware GPU and on the WebAssembly backend (Web Workers) otherwise. After `pnpm build`, from
 * this folder: `deno run --unstable-webgpu --allow-env=NODE_ENV,SPIKEFLOW_BACKEND,SPIKEFLOW_REQUIRE_WEBGPU train.ts`
 * (README.md says why). SPIKEFLOW_BACKEND=auto|webgpu|wasm|cpu overrides the choice. The first
 * line names the backend and why; the last line is machine-readable:
 *   RESULT {"accuracy":0.9,"chance":0.5,"device":"wasm (4 threads)"}
 */
import { adam, classifierModel, defaultClassifierSpec, evidenceAccumulation, taskData, Trainer } from '@spikeflow/models';
import { webWasmBackend } from '@spikeflow/wasm/web';
import { chooseTrainBackend, describeChoice, parseBackendPreference } from '@spikeflow/webgpu';

declare const Deno: { exit(code: number): never; env: { get(name: string): string | undefined } };

const EPOCHS = 4;
const BATCH = 32;

/** An environment variable, or undefined where it is unset or --allow-env does not grant it. */
function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

const task = evidenceAccumulation();
const asked = env('SPIKEFLOW_BACKEND');
const threads = navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 1;
const chosen = await chooseTrainBackend({
  prefer: asked === undefined ? 'auto' : parseBackendPreference(asked, 'SPIKEFLOW_BACKEND'),
  preferSource: 'SPIKEFLOW_BACKEND',
  requireWebGPU: env('SPIKEFLOW_REQUIRE_WEBGPU') === '1',
  wasm: { create: () => webWasmBackend({ threads }), threads },
});
console.log(describeChoice(chosen));
const device = chosen.kind === 'webgpu' ? `webgpu (${chosen.ctx.adapterInfo})` : chosen.kind === 'wasm' ? `wasm (${chosen.threads} threads)` : 'cpu';
console.log(`task ${task.info.name}: T = ${task.info.steps}, ${task.info.inputSize} inputs, chance ${task.info.chance.value}; device ${device}`);

const trainer = await Trainer.create({
  backend: chosen.backend,
  model: classifierModel(defaultClassifierSpec(task.info, 32), task.info, BATCH),
  optimizer: adam(),
  data: taskData({ train: task }, { batch: BATCH, trainBatches: 16, testBatches: 8 }),
  schedule: 0.01,
  seed: 1,
  accuracy: { scores: 'scores', labels: 'labels' },
  onMetric: (m) => console.log(`epoch ${m.epoch}/${EPOCHS}: loss ${m.loss.toFixed(4)}, held-out accuracy ${(m.testAccuracy ?? 0).toFixed(3)} (${m.ms.toFixed(0)} ms)`),
});
const history = await trainer.runEpochs(EPOCHS);
trainer.destroy();
console.log('RESULT ' + JSON.stringify({ accuracy: history[history.length - 1]!.testAccuracy, chance: task.info.chance.value, device }));
Deno.exit(0);
