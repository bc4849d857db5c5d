// The plots the CLI and `pnpm reproduce` write: labelled axes with tick values, the data where the
// axes say it is, legends, the chance line, and a PNG of the stated size. Checked against the
// rendered files read back by plot-files.ts, not against the specs.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barChartSpec, curvesSpec, lineChartSpec, plotSvg, rasterSpec } from '@spikeflow/plot';
import { svgToPng, writePlot } from '@spikeflow/plot/node';
import { dataRules, decodePngSize, doubled, linePoints, panels, roleTexts, svgSize } from './plot-files.js';

const work = await mkdtemp(join(tmpdir(), 'spikeflow-plots-'));
afterAll(() => rm(work, { recursive: true, force: true }));

const POINTS = [
  { epoch: 1, loss: 1.2, testLoss: 1.0, testAccuracy: 0.6 },
  { epoch: 2, loss: 0.6, testLoss: 0.8, testAccuracy: 0.7 },
  { epoch: 3, loss: 0.3, testLoss: 0.4, testAccuracy: 0.9 },
];

describe('learning curves', async () => {
  const svg = await plotSvg(curvesSpec(POINTS, 'spikeflow: evidence', { metric: 'accuracy', value: 0.5 }));
  const [loss, accuracy] = panels(svg);

  it('has a loss panel and an accuracy panel, each with titled axes and tick values', () => {
    expect(panels(svg)).toHaveLength(2);
    expect(roleTexts(loss!, 'axis-title').flat().sort()).toEqual(['epoch', 'loss']);
    expect(roleTexts(accuracy!, 'axis-title').flat().sort()).toEqual(['accuracy', 'epoch']);
    const [lossX, lossY] = roleTexts(loss!, 'axis-label');
    expect(lossX).toEqual(['0', '1', '2', '3']);
    expect(lossY).toEqual(['0.0', '0.2', '0.4', '0.6', '0.8', '1.0', '1.2']);
    expect(roleTexts(accuracy!, 'axis-label')[1]).toEqual(['0%', '20%', '40%', '60%', '80%', '100%']);
  });

  it('draws each series where the ticks say: epoch 0..3 over 480 px, loss 0..1.2 and accuracy 0..1 over 180 px (y down)', () => {
    const at = (epoch: number, value: number, top: number) => [epoch * 160, 180 * (1 - value / top)];
    const [train, heldOut] = linePoints(loss!);
    expect(train).toEqual(POINTS.map((p) => at(p.epoch, p.loss, 1.2)).map(([x, y]) => [x, expect.closeTo(y!, 6)]));
    expect(heldOut).toEqual(POINTS.map((p) => at(p.epoch, p.testLoss, 1.2)).map(([x, y]) => [x, expect.closeTo(y!, 6)]));
    expect(linePoints(accuracy!)).toEqual([POINTS.map((p) => at(p.epoch, p.testAccuracy, 1)).map(([x, y]) => [x, expect.closeTo(y!, 6)])]);
  });

  it('draws chance as a rule in the accuracy panel at 0.5, and names every line in one legend', () => {
    expect(dataRules(accuracy!)).toEqual([{ y: 90, span: [0, 480], dashed: true }]);
    expect(dataRules(loss!)).toEqual([]);
    expect(roleTexts(svg, 'legend-label').flat()).toEqual(['train loss', 'held-out loss', 'held-out accuracy', 'chance (0.5)']);
    expect(roleTexts(svg, 'title-text').flat()).toEqual(['spikeflow: evidence']);
  });

  it('puts a regression task\'s chance (a loss) in the loss panel', async () => {
    const [lossPanel, accuracyPanel] = panels(await plotSvg(curvesSpec(POINTS, 'adding', { metric: 'loss', value: 0.6 })));
    // loss 0..1.2 over 180 px: 0.6 at 90 px from the top.
    expect(dataRules(lossPanel!)).toEqual([{ y: 90, span: [0, 480], dashed: true }]);
    expect(dataRules(accuracyPanel!)).toEqual([]);
  });
});

describe('spike raster', async () => {
  // 4 inputs over 4 steps: neuron 0 spikes at t = 0 and 2, neuron 3 at t = 3. The readout carries currents, not spikes.
  const input = { name: 'input', units: 4, values: [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1] };
  const readout = { name: 'li3', units: 2, values: [0.5, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7] };
  const svg = await plotSvg(rasterSpec([input, readout], 4, 'held-out episode'));

  it('has one panel per spiking layer, titled with its units and spike count, with neuron ticks', () => {
    expect(panels(svg)).toHaveLength(1);
    expect(roleTexts(svg, 'title-text').flat().sort()).toEqual(['held-out episode', 'input: 4 units, 3 spikes (rate 0.188)']);
    expect(roleTexts(svg, 'axis-title').flat().sort()).toEqual(['neuron', 'time step']);
    const [x, y] = roleTexts(svg, 'axis-label');
    expect(x).toEqual(['0', '1', '2', '3', '4']);
    // Neuron indices, 0 to the layer's width, as many as fit the band's height.
    const neurons = y!.map(Number);
    expect(neurons.every((n) => Number.isInteger(n) && n >= 0 && n <= 4)).toBe(true);
    expect(neurons[0]).toBe(0);
    expect(neurons[neurons.length - 1]).toBe(4);
    expect(neurons.length).toBeGreaterThanOrEqual(3);
  });

  it('fills one cell per spike, neuron 0 at the bottom (panel 480 × 48 px: 120 px a step, 12 px a neuron)', () => {
    const cells = [...svg.matchAll(/aria-roledescription="rect mark" d="M([\d.]+),([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+Z"/g)].map((m) => m.slice(1).map(Number));
    expect(cells.sort((a, b) => a[0]! - b[0]!)).toEqual([
      [0, 36, 120, 12],
      [240, 36, 120, 12],
      [360, 0, 120, 12],
    ]);
  });
});

describe('charts for reports', () => {
  it('a line chart on log axes keeps its axis titles and tick values and leaves out values a log axis cannot show', async () => {
    const svg = await plotSvg(lineChartSpec({ title: 'error', yLabel: 'error (%)', logY: true, x: [10, 100], xLabel: 'steps T', logX: true, series: [{ name: 'SNN', values: [10, 0] }, { name: 'ANN', values: [1, 1] }] }));
    expect(roleTexts(svg, 'axis-title').flat().sort()).toEqual(['error (%)', 'steps T']);
    const [x, y] = roleTexts(svg, 'axis-label');
    expect(x).toContain('10');
    expect(x).toContain('100');
    expect(y).toEqual(expect.arrayContaining(['1', '10']));
    const [snn, ann] = linePoints(svg);
    expect(snn).toHaveLength(1);
    expect(ann).toHaveLength(2);
    expect(roleTexts(svg, 'legend-label').flat()).toEqual(['SNN', 'ANN']);
  });

  it('a bar chart on a log axis stands its bars on the power of ten below the smallest value', async () => {
    const svg = await plotSvg(barChartSpec({ title: 'times', yLabel: 'ms', logY: true, categories: ['a', 'b'], series: [{ name: 'one', values: [2, 20] }, { name: 'two', values: [null, 200] }] }));
    const bars = [...svg.matchAll(/aria-roledescription="bar" d="M[\d.]+,([\d.]+)h[\d.]+v([\d.]+)h/g)].map((m) => Number(m[1]) + Number(m[2]));
    expect(bars).toHaveLength(3);
    const bottom = bars[0]!;
    for (const b of bars) expect(b).toBeCloseTo(bottom, 6);
    expect(roleTexts(svg, 'axis-label')[0]).toEqual(['a', 'b']);
    expect(roleTexts(svg, 'axis-label')[1]).toEqual(expect.arrayContaining(['1', '10', '100']));
  });
});

describe('files', () => {
  it('writes <name>.svg and <name>.png; the PNG decodes to twice the SVG size', async () => {
    const [svgFile, pngFile] = await writePlot(join(work, 'curves'), curvesSpec(POINTS, 'run'));
    expect([svgFile, pngFile]).toEqual([join(work, 'curves.svg'), join(work, 'curves.png')]);
    const size = svgSize(await readFile(svgFile, 'utf8'));
    expect(size.width).toBeGreaterThan(480);
    expect(decodePngSize(await readFile(pngFile))).toEqual(doubled(size));
    expect(decodePngSize((await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="red"/></svg>', 1)).bytes)).toEqual({ width: 30, height: 20 });
  });
});
