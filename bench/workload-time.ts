/**
 * Times spikeflow's W1 (LIF-MLP SGD step, x as spikes, B = 64) and W2 (PSN fwd+bwd, N = 65536) at
 * T = 8 and 32 in this checkout, one line per size with the load average: run it alternately in
 * two checkouts to compare kernel changes. Usage: tsx bench/workload-time.ts <tag> [steps]
 */
import { readFileSync } from 'node:fs';
import { acquireNodeDevice } from '../packages/webgpu/src/node.js';
import { spikeflowLifMlp } from './src/spikeflow/lif-mlp.js';
import { spikeflowPsn } from './src/spikeflow/psn.js';
import { lifMlpFixture } from './src/workloads/lif-mlp.js';
import { psnFixture } from './src/workloads/psn.js';
const tag = process.argv[2] ?? '?';
const reps = Number(process.argv[3] ?? 5);
const { device } = await acquireNodeDevice();
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
async function time(label: string, step: () => Promise<unknown>) {
  await step(); await step();
  const ms: number[] = [];
  for (let r = 0; r < reps; r++) { const t0 = performance.now(); await step(); ms.push(performance.now() - t0); }
  ms.sort((a, b) => a - b);
  console.log(`${tag} ${label}: median ${ms[Math.floor(reps / 2)]!.toFixed(1)} ms min ${ms[0]!.toFixed(1)} (load ${load()})`);
}
for (const T of [8, 32]) {
  const r = await spikeflowLifMlp(device, 'lavapipe', { spikeInputs: ['x'] }).create(lifMlpFixture(T, 64, 1));
  await time(`W1 T=${T} B=64`, r.step);
  r.dispose();
}
for (const T of [8, 32]) {
  const r = await spikeflowPsn(device, 'lavapipe').create(psnFixture(T, 65536, 2));
  await time(`W2 T=${T} N=65536`, r.step);
  r.dispose();
}
process.exit(0);
