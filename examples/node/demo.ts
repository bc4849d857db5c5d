/**
 * The main job, stage one: build a spiking network declaratively, print it, and run it on the
 * CPU reference interpreter with rate-coded input spikes. GPU training replaces the last step
 * once the WebGPU backend lands.
 */
import { evaluate, formatSummary, graphToJSON, initParams, summarize, toArray, buildSequential, trace } from '@spikeflow/core';
import { lif, linear, sequential, standardLayers } from '@spikeflow/models';

const T = 16;
const B = 8;
const IN = 100;

const spec = sequential([linear(IN, 64, { initScale: 4 }), lif({ tau: 2 }), linear(64, 10, { initScale: 4 }), lif({ tau: 2 })]);
console.log('model spec (JSON):');
console.log(JSON.stringify(spec));

const graph = buildSequential(JSON.stringify(spec), { input: { name: 'x', shape: [T, B, IN] }, library: standardLayers });
console.log('\n' + formatSummary(summarize(graph)));
console.log(`graph JSON: ${graphToJSON(graph).length} bytes`);

// Rate-coded input: each of the B samples has its own firing probability per input channel,
// drawn with the framework's counter-based generator so the run is reproducible.
const encoder = trace((b) => {
  const rates = b.uniform([1, B, IN], 7).mul(0.8);
  return { spikes: b.bernoulli(rates, [T, B, IN], 11) };
});
const spikes = evaluate(encoder).outputs.spikes!;

const params = initParams(graph, { seed: 42 });
const start = performance.now();
const { outputs } = evaluate(graph, { inputs: { x: spikes }, params }, { checkNaN: true });
const ms = performance.now() - start;

const out = toArray(outputs.output!);
const counts = Array.from({ length: B }, (_, b) =>
  Array.from({ length: 10 }, (_, c) => out.reduce((s, v, i) => s + (i % (B * 10) === b * 10 + c ? v : 0), 0)),
);
const inputRate = toArray(spikes).reduce((s, v) => s + v, 0) / (T * B * IN);
const outputRate = out.reduce((s, v) => s + v, 0) / out.length;
console.log(`\nran T=${T}, B=${B} on the CPU reference interpreter in ${ms.toFixed(1)} ms`);
console.log(`input firing rate ${(100 * inputRate).toFixed(1)}%, output firing rate ${(100 * outputRate).toFixed(1)}%`);
console.log('output spike counts per sample (10 classes):');
counts.forEach((c, b) => console.log(`  sample ${b}: [${c.join(' ')}]  predicted class ${c.indexOf(Math.max(...c))}`));
