import { toArray, type HostTensor } from '@spikeflow/core';

// Canvases hold only data (titles and numbers are HTML), so a test can tell a drawn plot from a blank one by its pixels.
export const BACKGROUND = '#ffffff';

function clear(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const g = canvas.getContext('2d')!;
  g.fillStyle = BACKGROUND;
  g.fillRect(0, 0, canvas.width, canvas.height);
  return g;
}

/** Curves over steps, each scaled to [lo, hi] (default: their joint range). */
export function drawCurves(canvas: HTMLCanvasElement, series: readonly { readonly values: readonly number[]; readonly color: string }[], range?: readonly [number, number]): void {
  const g = clear(canvas);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  if (all.length === 0) return;
  const [lo, hi] = range ?? [Math.min(0, ...all), Math.max(...all)];
  const pad = 6;
  const [w, h] = [canvas.width - 2 * pad, canvas.height - 2 * pad];
  for (const { values, color } of series) {
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    values.forEach((v, k) => {
      const x = pad + (values.length > 1 ? (k / (values.length - 1)) * w : 0);
      const y = pad + h - ((v - lo) / Math.max(hi - lo, 1e-9)) * h;
      if (k === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    });
    g.stroke();
  }
}

/** Spikes [T, B, N] of the first `samples` batch entries side by side in time: one row per neuron. */
export function drawRaster(canvas: HTMLCanvasElement, spikes: HostTensor, samples: number): void {
  const g = clear(canvas);
  const [T, B, N] = spikes.type.shape as [number, number, number];
  const data = toArray(spikes);
  const shown = Math.min(samples, B);
  const [cw, ch] = [canvas.width / (shown * T), canvas.height / N];
  g.fillStyle = '#dddddd';
  for (let s = 1; s < shown; s++) g.fillRect(s * T * cw, 0, 1, canvas.height);
  g.fillStyle = '#111111';
  for (let s = 0; s < shown; s++)
    for (let t = 0; t < T; t++)
      for (let n = 0; n < N; n++) if (data[(t * B + s) * N + n]! > 0) g.fillRect((s * T + t) * cw, n * ch, Math.max(cw - 1, 1), Math.max(ch - 1, 1));
}

const TRACE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

/** Membranes [T, B, N] of the first TRACE_COLORS.length neurons of batch entry 0. */
export function drawTraces(canvas: HTMLCanvasElement, membrane: HostTensor): void {
  const [T, B, N] = membrane.type.shape as [number, number, number];
  const data = toArray(membrane);
  const series = TRACE_COLORS.slice(0, N).map((color, n) => ({ color, values: Array.from({ length: T }, (_, t) => data[t * B * N + n]!) }));
  const all = series.flatMap((s) => s.values);
  drawCurves(canvas, series, [Math.min(...all), Math.max(...all, Math.min(...all) + 1e-6)]);
}

/** A [rows, cols] matrix, blue negative to red positive, symmetric about 0; rows beyond the canvas height are averaged away by scaling. */
export function drawHeatmap(canvas: HTMLCanvasElement, matrix: HostTensor): void {
  const g = clear(canvas);
  const [rows, cols] = matrix.type.shape as [number, number];
  const data = toArray(matrix);
  let scale = 1e-9;
  for (const v of data) scale = Math.max(scale, Math.abs(v));
  // Drawn transposed (one row per output unit) so a wide input dimension runs along the x axis.
  const image = new ImageData(rows, cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const v = data[r * cols + c]! / scale;
      const at = 4 * (c * rows + r);
      const fade = Math.round(255 * (1 - Math.abs(v)));
      image.data.set(v >= 0 ? [255, fade, fade, 255] : [fade, fade, 255, 255], at);
    }
  const bitmap = document.createElement('canvas');
  [bitmap.width, bitmap.height] = [rows, cols];
  bitmap.getContext('2d')!.putImageData(image, 0, 0);
  g.imageSmoothingEnabled = rows > canvas.width;
  g.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
}
