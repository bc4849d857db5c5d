/**
 * Two small SVG charts for BENCHMARKS.md, written as plain markup: grouped bars (one group per
 * category, one bar per series) and lines over a numeric x axis. Axes can be logarithmic, since
 * benchmark times span orders of magnitude.
 */
export interface Series {
  readonly name: string;
  /** One value per category (bars) or per x (lines); null where there is none. */
  readonly values: readonly (number | null)[];
}

export interface ChartOptions {
  readonly title: string;
  readonly yLabel: string;
  readonly logY?: boolean;
}

const WIDTH = 720;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 170, top: 36, bottom: 48 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;
const COLORS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#9c755f'];

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (Math.abs(v) >= 100 || v === Math.round(v) ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(1) : v.toPrecision(2));

/** A value axis over [lo, hi]: position in [0, 1] and tick values. */
function axis(values: readonly number[], log: boolean): { pos: (v: number) => number; ticks: number[] } {
  const finite = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (log) {
    const lo = Math.floor(Math.log10(Math.min(...finite)));
    const hi = Math.max(lo + 1, Math.ceil(Math.log10(Math.max(...finite))));
    // 1-2-5 ticks when there are few decades, so a short range still reads.
    const steps = hi - lo <= 2 ? [1, 2, 5] : [1];
    const ticks = Array.from({ length: hi - lo + 1 }, (_, k) => steps.map((m) => m * 10 ** (lo + k))).flat().filter((t) => t <= 10 ** hi);
    return { pos: (v) => (Math.log10(v) - lo) / (hi - lo), ticks };
  }
  const hi = Math.max(...finite, 0) || 1;
  const step = 10 ** Math.floor(Math.log10(hi / 5));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => hi / s <= 6)!;
  const top = Math.ceil(hi / nice) * nice;
  return { pos: (v) => v / top, ticks: Array.from({ length: Math.round(top / nice) + 1 }, (_, k) => k * nice) };
}

function frame(options: ChartOptions, yTicks: readonly number[], yPos: (v: number) => number, body: string[], legend: readonly string[]): string {
  const y = (v: number) => MARGIN.top + PLOT_H * (1 - yPos(v));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2 - MARGIN.right / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
    ...yTicks.map(
      (t) =>
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${MARGIN.left - 6}" y="${y(t) + 4}" text-anchor="end">${fmt(t)}</text>`,
    ),
    `<text transform="translate(16 ${MARGIN.top + PLOT_H / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_H}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${MARGIN.top + PLOT_H}" y2="${MARGIN.top + PLOT_H}" stroke="#333"/>`,
    ...body,
    ...legend.map((name, k) => {
      const ly = MARGIN.top + 8 + k * 18;
      const lx = MARGIN.left + PLOT_W + 14;
      return `<rect x="${lx}" y="${ly - 9}" width="12" height="12" fill="${COLORS[k % COLORS.length]}"/><text x="${lx + 18}" y="${ly + 1}">${escape(name)}</text>`;
    }),
    '</svg>',
    '',
  ].join('\n');
}

export function barChart(options: ChartOptions & { readonly categories: readonly string[]; readonly series: readonly Series[] }): string {
  const { pos, ticks } = axis(options.series.flatMap((s) => s.values.filter((v): v is number => v !== null)), options.logY ?? false);
  const base = options.logY ? ticks[0]! : 0;
  const y = (v: number) => MARGIN.top + PLOT_H * (1 - pos(v));
  const group = PLOT_W / options.categories.length;
  const bar = (group * 0.8) / options.series.length;
  const body = options.categories.flatMap((category, c) => {
    const x0 = MARGIN.left + c * group + group * 0.1;
    const bars = options.series.flatMap((s, k) => {
      const v = s.values[c];
      if (v === null || v === undefined || (options.logY && v <= 0)) return [];
      return [`<rect x="${x0 + k * bar}" y="${y(v)}" width="${bar - 1}" height="${y(base) - y(v)}" fill="${COLORS[k % COLORS.length]}"><title>${escape(`${s.name}, ${category}: ${fmt(v)}`)}</title></rect>`];
    });
    return [...bars, `<text x="${x0 + group * 0.4}" y="${MARGIN.top + PLOT_H + 18}" text-anchor="middle">${escape(category)}</text>`];
  });
  return frame(options, ticks, pos, body, options.series.map((s) => s.name));
}

export function lineChart(options: ChartOptions & { readonly x: readonly number[]; readonly xLabel: string; readonly logX?: boolean; readonly series: readonly Series[] }): string {
  const yAxis = axis(options.series.flatMap((s) => s.values.filter((v): v is number => v !== null)), options.logY ?? false);
  const xLog = options.logX ?? false;
  const [lo, hi] = [Math.min(...options.x), Math.max(...options.x)];
  const xPos = (v: number) => (hi === lo ? 0.5 : xLog ? Math.log(v / lo) / Math.log(hi / lo) : (v - lo) / (hi - lo));
  const px = (v: number) => MARGIN.left + PLOT_W * xPos(v);
  const py = (v: number) => MARGIN.top + PLOT_H * (1 - yAxis.pos(v));
  const body = [
    ...options.x.map((v) => `<text x="${px(v)}" y="${MARGIN.top + PLOT_H + 18}" text-anchor="middle">${fmt(v)}</text>`),
    `<text x="${MARGIN.left + PLOT_W / 2}" y="${HEIGHT - 8}" text-anchor="middle">${escape(options.xLabel)}</text>`,
    ...options.series.flatMap((s, k) => {
      const points = options.x.flatMap((xv, i) => {
        const v = s.values[i];
        return v === null || v === undefined || (options.logY && v <= 0) ? [] : [[px(xv), py(v)] as const];
      });
      const color = COLORS[k % COLORS.length];
      return [
        `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`,
        ...points.map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3" fill="${color}"/>`),
      ];
    }),
  ];
  return frame(options, yAxis.ticks, yAxis.pos, body, options.series.map((s) => s.name));
}
