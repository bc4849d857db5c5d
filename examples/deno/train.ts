/**
 * Trains a small spiking classifier on the evidence-accumulation task with WebGPU in Deno.
 * After `pnpm build`, from this folder: `deno run --unstable-webgpu --allow-env=NODE_ENV train.ts`
 * (README.md says why). The last line is machine-readable:
 *   RESULT {"accuracy":0.9,"chance":0.5,"device":"webgpu ..."}
 */
import { cpuBackend, type TrainBackend } from '@spikeflow/core';
import { adam, classifierModel, defaultClassifierSpec, evidenceAccumulation, taskData, Trainer } from '@spikeflow/models';
import { selectBackend, webgpuBackend } from '@spikeflow/webgpu';

declare const Deno: { exit(code: number): never };

const EPOCHS = 4;
const BATCH = 32;

const task = evidenceAccumulation();
// No env access without --allow-env: the caller judges the device from the RESULT line.
const backend = await selectBackend();
let engine: TrainBackend;
let device: string;
if (backend.kind === 'webgpu') {
  engine = webgpuBackend(backend.ctx.device);
  device = `webgpu (${backend.ctx.adapterInfo})`;
} else {
  engine = cpuBackend();
  device = 'cpu';
  console.log(`no WebGPU adapter, training on the CPU interpreter: ${backend.reason}`);
}
console.log(`task ${task.info.name}: T = ${task.info.steps}, ${task.info.inputSize} inputs, chance ${task.info.chance.value}; device ${device}`);

const trainer = await Trainer.create({
  backend: engine,
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
