/**
 * Redraws the reproduce plots from the saved rows in results/latest.json, without training:
 * `npx tsx examples/reproduce/replot.ts`. Each plot is written as <name>.svg and <name>.png beside
 * the rows, as the experiments write them; an experiment without rows is skipped.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writePlot } from '@spikeflow/plot/node';
import type { PlotSpec } from '@spikeflow/plot';
import type { ResultRow } from './experiment.js';
import { conversionPlotSpecFromRows, PLOT_NAME as CONVERSION_PLOT } from './experiments/ann-conversion.js';
import { accuracyBytesSpecFromRows, PLOT_NAME as FEDERATED_PLOT } from './experiments/federated-mnist.js';
import { readRows } from './results-file.js';

const PLOTS: readonly { experiment: string; name: string; spec: (rows: readonly ResultRow[]) => PlotSpec }[] = [
  { experiment: 'ann-conversion', name: CONVERSION_PLOT, spec: conversionPlotSpecFromRows },
  { experiment: 'federated-mnist', name: FEDERATED_PLOT, spec: accuracyBytesSpecFromRows },
];

const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const file = path.join(resultsDir, 'latest.json');
const rows = readRows(file);
for (const plot of PLOTS) {
  const own = rows.filter((r) => r.experiment === plot.experiment);
  if (own.length === 0) {
    console.log(`${plot.experiment}: no rows in ${file}, skipped`);
    continue;
  }
  // One run: the seed of the experiment's first row (a file may hold several seeds side by side).
  const seed = own[0]!.seed;
  try {
    const written = await writePlot(path.join(resultsDir, plot.name), plot.spec(own.filter((r) => r.seed === seed)));
    console.log(`${plot.experiment} (seed ${seed}): ${written.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
  } catch (error) {
    console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
