// The code of docs/guides/export-to-nir.md: the guide shows this file's region verbatim, and
// docs/guide.test.ts checks that it does and runs it.
// #region guide
import { evaluate, initParams, toArray, type HostTensor } from '@spikeflow/core';
import { buildSequential, delayedXor, recurrentClassifierSpec, standardLayers } from '@spikeflow/models';
import { exportSequential, importNir, readNir, writeNir } from '@spikeflow/nir';

/**
 * Exports the CLI's default delayed-XOR model (a recurrent LIF layer and a leaky-integrator
 * readout) to NIR bytes, reads them back as another simulator would, and runs both on one
 * episode. `trained` are the model's params by name (a trainer's `await trainer.params()`, or a
 * checkpoint's tensors); without them, the untrained initial params.
 */
export async function exportToNir(trained?: Readonly<Record<string, HostTensor>>) {
  const task = delayedXor();
  const { steps, inputSize } = task.info;
  const spec = recurrentClassifierSpec(task.info, 16);
  const model = buildSequential(spec, { input: { name: 'x', shape: [steps, 1, inputSize] }, library: standardLayers });
  const params = trained ?? initParams(model, { seed: 1 });
  const values = Object.fromEntries(Object.entries(params).map(([name, t]) => [name, t.data]));

  // spikeflow's neurons step in steps, NIR's in time: the export writes each constant for dt.
  const { document, importOptions } = exportSequential(spec, values, { dt: 1e-3, inputShape: [inputSize] });
  const bytes = await writeNir(document); // an HDF5 file: save it as model.nir

  const imported = importNir(await readNir(bytes, 'model.nir'), { ...importOptions, steps, batch: 1 });
  const x = task.batch(1, 7).inputs.x!;
  const ours = toArray(evaluate(model, { inputs: { x }, params }).outputs.output!);
  const theirs = toArray(evaluate(imported.graph, { inputs: { input: x }, params: imported.params }).outputs.output!);
  return { bytes, ours, theirs };
}
// #endregion guide
