import type { Suite } from '../context.js';
import { row } from '../harness/row.js';
import { timeSteps } from '../harness/timing.js';
import { compileSpikingLayer } from '../spikeflow/layer.js';
import { SPIKING_LAYERS } from '../workloads/spiking-layers.js';

/**
 * The PSN paper's speed comparison (Fang et al. 2023): PSN, masked PSN, sliding PSN and the
 * multi-step LIF over X [T, N], forward alone and forward+backward (gradients of sum(S G) w.r.t.
 * the layer's params and X), in spikeflow, over T and N.
 */
export const PSN_VS_LIF_FORWARD = 'PSN vs LIF forward';
export const PSN_VS_LIF_BACKWARD = 'PSN vs LIF forward+backward';

export const psnVsLifSuite: Suite = {
  id: 'psn-lif',
  title: 'PSN family vs multi-step LIF',
  async run(ctx) {
    const { device, adapterInfo } = ctx.gpu;
    const rows = [];
    for (const N of ctx.config.psnVsLif.N) {
      for (const T of ctx.config.psnVsLif.T) {
        for (const layer of SPIKING_LAYERS) {
          for (const backward of [false, true]) {
            const compiled = await compileSpikingLayer(device, layer, T, N, backward);
            const timing = await timeSteps(() => compiled.call(), ctx.config.timing);
            compiled.exe.destroy();
            const workload = backward ? PSN_VS_LIF_BACKWARD : PSN_VS_LIF_FORWARD;
            ctx.log(`  ${layer.name} ${backward ? 'fwd+bwd' : 'fwd'} T = ${T}, N = ${N}: ${timing.ms_median.toFixed(1)} ms`);
            rows.push(row(workload, 'spikeflow', adapterInfo, { T, N }, timing, { layer: layer.name, compile_ms: compiled.compileMs, dispatches: compiled.exe.stats.dispatches }));
          }
        }
      }
    }
    return rows;
  },
};
