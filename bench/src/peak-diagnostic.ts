/**
 * Where the planned peak of W1's BPTT goes: the temporaries live at the step where the most bytes
 * are live, by name. Usage: tsx bench/src/peak-diagnostic.ts T [checkpointEvery] [timeline] [step]
 */
import { grad, savedTensorStats } from '@spikeflow/autodiff';
import { hoistSequenceWork, simplify, sinkIntoSegmentScans, valueLifetimes } from '@spikeflow/core';
import { compileProgram, type Step } from '@spikeflow/webgpu';
import { LIF_MLP_PARAMS, lifMlpModel } from './workloads/lif-mlp.js';

const limits = { maxStorageBufferBindingSize: 2 ** 30, maxStorageBuffersPerShaderStage: 10 };
const T = Number(process.argv[2] ?? 32);
const ck = process.argv[3] ? Number(process.argv[3]) : undefined;
const B = 64;
const g = grad(lifMlpModel(T, B), { of: 'loss', wrt: [LIF_MLP_PARAMS.w1, LIF_MLP_PARAMS.w2], checkpointEvery: ck });
const sg = sinkIntoSegmentScans(hoistSequenceWork(simplify(g)));
const p = compileProgram(g, limits, {});
const saved = 4 * savedTensorStats(g).elements;
const MiB = (b: number) => (b / 2 ** 20).toFixed(2);
console.log(`T=${T} ck=${ck} peak ${MiB(p.memory.plannedPeakBytes)} resident ${MiB(p.memory.residentBytes)} saved ${MiB(saved)} ratio ${(p.memory.plannedPeakBytes / (p.memory.residentBytes + saved)).toFixed(3)}`);
// The planner's lifetimes, and a label per clock (a loop takes a clock at its start and its end).
const spans = valueLifetimes(p.steps);
const labels: string[] = [];
let clock = 0;
const walk = (list: readonly Step[]) => {
  for (const step of list) {
    if (step.kind === 'loop') {
      labels[clock++] = `loop ${step.label}`;
      walk(step.body);
      labels[clock] = `end ${step.label}`;
    } else labels[clock] = step.kind === 'copy' ? `copy ${step.from}->${step.to}` : `kernel ${step.source.label}: ${step.args.join(', ')}`;
    clock++;
  }
};
walk(p.steps);
let best = 0, at = 0;
const live = (c: number) => [...p.values.values()].filter((v) => v.role === 'temp' && spans.has(v.id) && spans.get(v.id)!.first <= c && spans.get(v.id)!.last >= c);
for (let c = 0; c < clock; c++) { const b = live(c).reduce((s, v) => s + v.bytes, 0); if (b > best) { best = b; at = c; } }
console.log(`max live temps ${MiB(best)} at clock ${at}/${clock}: ${labels[at]}; slots sum temps ${MiB(p.memory.plannedPeakBytes - p.memory.residentBytes)}`);
const show = (c: number) => { for (const v of live(c).sort((a, b) => b.bytes - a.bytes)) if (v.bytes > 1e5) console.log(`  ${MiB(v.bytes)} ${v.id} ${sg.nodes[v.id.split('/')[0]!]?.name ?? ''} [${v.type.shape}] ${v.packed ? 'bits' : ''} span ${spans.get(v.id)!.first}-${spans.get(v.id)!.last}`); };
show(at);
if (process.argv[4]) for (let c = 0; c < clock; c++) console.log(c, labels[c], MiB(live(c).reduce((s, v) => s + v.bytes, 0)));
if (process.argv[5]) show(Number(process.argv[5]));
