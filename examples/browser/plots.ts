import { toArray, type HostTensor } from '@spikeflow/core';

// Each plot draws its data inside a plot area, with labelled axes and tick values in the margins
// around it. The area is recorded on the canvas (data-plot-area = "x y w h"), so a test can tell a
// drawn plot from a blank one by the pixels inside it.
export const BACKGROUND = '#ffffff';
const AXIS_COLOR = '#444444';
/** Light enough that a test counting dark pixels does not mistake it for data. */
const REFERENCE_COLOR = '#cccccc';
const MARGIN = { left: 44, right: 8, top: 8, bottom: 30 };
const FONT = '10px system-ui, sans-serif';

interface Area {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export interface Axes {
  readonly x: { readonly label: string; readonly range: readonly [number, number] };
  readonly y: { readonly label: string; readonly range: readonly [number, number] };
}

/** Clears the canvas and returns its context and plot area. */
function begin(canvas: HTMLCanvasElement): { g: CanvasRenderingContext2D; area: Area } {
  const g = canvas.getContext('2d')!;
  g.fillStyle = BACKGROUND;
  g.fillRect(0, 0, canvas.width, canvas.height);
  const area = { x: MARGIN.left, y: MARGIN.top, w: canvas.width - MARGIN.left - MARGIN.right, h: canvas.height - MARGIN.top - MARGIN.bottom };
  canvas.dataset.plotArea = `${area.x} ${area.y} ${area.w} ${area.h}`;
  return { g, area };
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 times a power of ten). */
export function ticks(lo: number, hi: number, count = 4): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

const format = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(3))));

/** The axis lines along the left and bottom of the area, tick values and axis labels in the margins. */
function drawAxes(g: CanvasRenderingContext2D, area: Area, axes: Axes): void {
  const [x0, x1] = axes.x.range;
  const [y0, y1] = axes.y.range;
  g.strokeStyle = AXIS_COLOR;
  g.fillStyle = AXIS_COLOR;
  g.lineWidth = 1;
  g.font = FONT;
  g.beginPath();
  g.moveTo(area.x - 0.5, area.y);
  g.lineTo(area.x - 0.5, area.y + area.h + 0.5);
  g.lineTo(area.x + area.w, area.y + area.h + 0.5);
  g.stroke();
  g.textAlign = 'center';
  g.textBaseline = 'top';
  for (const v of ticks(x0, x1)) {
    const px = area.x + ((v - x0) / Math.max(x1 - x0, 1e-9)) * area.w;
    g.fillRect(Math.round(px), area.y + area.h + 1, 1, 3);
    g.fillText(format(v), px, area.y + area.h + 5);
  }
  g.fillText(axes.x.label, area.x + area.w / 2, area.y + area.h + 17);
  g.textAlign = 'right';
  g.textBaseline = 'middle';
  for (const v of ticks(y0, y1)) {
    const py = area.y + area.h - ((v - y0) / Math.max(y1 - y0, 1e-9)) * area.h;
    g.fillRect(area.x - 4, Math.round(py), 3, 1);
    g.fillText(format(v), area.x - 6, py);
  }
  g.save();
  g.translate(9, area.y + area.h / 2);
  g.rotate(-Math.PI / 2);
  g.textAlign = 'center';
  g.fillText(axes.y.label, 0, 0);
  g.restore();
}

export interface Series {
  readonly values: readonly number[];
  readonly color: string;
  /** The x of each value (default: its index). */
  readonly x?: readonly number[];
}

const xOf = (s: Series, k: number): number => s.x?.[k] ?? k;

/** Curves against their index, in the given y range (default: the joint range of the values and 0). */
export function drawCurves(canvas: HTMLCanvasElement, series: readonly Series[], labels: { readonly x: string; readonly y: string }, options: { readonly yRange?: readonly [number, number]; readonly reference?: number } = {}): void {
  const { g, area } = begin(canvas);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  const [lo, hi] = options.yRange ?? (all.length > 0 ? [Math.min(0, ...all), Math.max(...all, 1e-6)] : [0, 1]);
  const xs = series.flatMap((s) => s.values.map((_, k) => xOf(s, k)));
  const last = Math.max(1, ...xs);
  const first = Math.min(0, ...xs);
  drawAxes(g, area, { x: { label: labels.x, range: [first, last] }, y: { label: labels.y, range: [lo, hi] } });
  const px = (x: number) => area.x + ((x - first) / (last - first)) * area.w;
  const py = (y: number) => area.y + area.h - ((Math.min(Math.max(y, lo), hi) - lo) / Math.max(hi - lo, 1e-9)) * area.h;
  if (options.reference !== undefined) {
    g.strokeStyle = REFERENCE_COLOR;
    g.setLineDash([4, 4]);
    g.beginPath();
    g.moveTo(area.x, py(options.reference));
    g.lineTo(area.x + area.w, py(options.reference));
    g.stroke();
    g.setLineDash([]);
  }
  g.lineWidth = 2;
  for (const s of series) {
    g.strokeStyle = s.color;
    g.beginPath();
    s.values.forEach((v, k) => (k === 0 ? g.moveTo(px(xOf(s, k)), py(v)) : g.lineTo(px(xOf(s, k)), py(v))));
    g.stroke();
  }
}

/** Spikes [T, B, N] of the first `samples` batch entries side by side in time: one row per neuron. */
export function drawRaster(canvas: HTMLCanvasElement, spikes: HostTensor, samples: number): void {
  const { g, area } = begin(canvas);
  const [T, B, N] = spikes.type.shape as [number, number, number];
  const data = toArray(spikes);
  const shown = Math.min(samples, B);
  drawAxes(g, area, { x: { label: `time step (${shown} samples × ${T})`, range: [0, shown * T] }, y: { label: 'neuron', range: [0, N] } });
  const [cw, ch] = [area.w / (shown * T), area.h / N];
  g.fillStyle = REFERENCE_COLOR;
  for (let s = 1; s < shown; s++) g.fillRect(area.x + s * T * cw, area.y, 1, area.h);
  g.fillStyle = '#111111';
  // Neuron 0 at the bottom, as the y axis counts up.
  for (let s = 0; s < shown; s++)
    for (let t = 0; t < T; t++)
      for (let n = 0; n < N; n++)
        if (data[(t * B + s) * N + n]! > 0) g.fillRect(area.x + (s * T + t) * cw, area.y + area.h - (n + 1) * ch, Math.max(cw - 1, 1), Math.max(ch - 1, 1));
}

const TRACE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

/** Membranes [T, B, N] of the first TRACE_COLORS.length neurons of batch entry 0, with the firing threshold as a dashed line. */
export function drawTraces(canvas: HTMLCanvasElement, membrane: HostTensor, threshold: number): void {
  const [T, B, N] = membrane.type.shape as [number, number, number];
  const data = toArray(membrane);
  const series = TRACE_COLORS.slice(0, N).map((color, n) => ({ color, values: Array.from({ length: T }, (_, t) => data[t * B * N + n]!) }));
  const all = series.flatMap((s) => s.values);
  const lo = Math.min(...all, threshold);
  drawCurves(canvas, series, { x: 'time step', y: 'membrane' }, { yRange: [lo, Math.max(...all, threshold, lo + 1e-6)], reference: threshold });
}

/**
 * A [rows, cols] matrix, blue negative to red positive, symmetric about 0. Drawn transposed, one
 * row of pixels per column of the matrix, so a wide input dimension runs along the x axis; rows
 * beyond the canvas width are averaged away by scaling.
 */
export function drawHeatmap(canvas: HTMLCanvasElement, matrix: HostTensor, labels: { readonly rows: string; readonly cols: string }): void {
  const { g, area } = begin(canvas);
  const [rows, cols] = matrix.type.shape as [number, number];
  const data = toArray(matrix);
  let scale = 1e-9;
  for (const v of data) scale = Math.max(scale, Math.abs(v));
  drawAxes(g, area, { x: { label: `${labels.rows} (max |w| ${format(scale)})`, range: [0, rows] }, y: { label: labels.cols, range: [0, cols] } });
  const image = new ImageData(rows, cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]! / scale;
      const at = 4 * ((cols - 1 - c) * rows + r);
      const fade = Math.round(255 * (1 - Math.abs(v)));
      image.data.set(v >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], at);
    }
  const bitmap = document.createElement('canvas');
  [bitmap.width, bitmap.height] = [rows, cols];
  bitmap.getContext('2d')!.putImageData(image, 0, 0);
  g.imageSmoothingEnabled = rows > area.w;
  g.drawImage(bitmap, area.x, area.y, area.w, area.h);
}
