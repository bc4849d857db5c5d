/** The learning curves of a run as a small self-contained SVG: train loss, held-out loss and accuracy per epoch. */
export interface CurvePoint {
  readonly epoch: number;
  readonly loss: number;
  readonly testLoss?: number;
  readonly testAccuracy?: number;
}

const W = 640;
const H = 360;
const PAD = 48;

const SERIES = [
  { key: 'loss', label: 'train loss', color: '#2563eb', axis: 'loss' },
  { key: 'testLoss', label: 'held-out loss', color: '#f59e0b', axis: 'loss' },
  { key: 'testAccuracy', label: 'held-out accuracy', color: '#16a34a', axis: 'accuracy' },
] as const;

export function curvesSvg(points: readonly CurvePoint[], title: string): string {
  const epochs = points.map((p) => p.epoch);
  const [e0, e1] = [Math.min(...epochs), Math.max(...epochs)];
  const maxLoss = Math.max(1e-9, ...points.flatMap((p) => [p.loss, p.testLoss ?? 0]));
  const x = (e: number) => PAD + ((W - 2 * PAD) * (e1 === e0 ? 0.5 : (e - e0) / (e1 - e0)));
  // Loss on the left axis (0..max), accuracy on the right (0..1): both share the plot's height.
  const y = (v: number, axis: 'loss' | 'accuracy') => H - PAD - ((H - 2 * PAD) * v) / (axis === 'loss' ? maxLoss : 1);
  const lines = SERIES.map((s, i) => {
    const pts = points.filter((p) => p[s.key] !== undefined).map((p) => `${x(p.epoch).toFixed(1)},${y(p[s.key]!, s.axis).toFixed(1)}`);
    if (pts.length === 0) return '';
    const dots = pts.map((pt) => `<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="3" fill="${s.color}"/>`).join('');
    return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.join(' ')}"/>${dots}<text x="${W - PAD - 140}" y="${PAD + 16 * i}" fill="${s.color}" font-size="12">${s.label}</text>`;
  });
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    `<path d="M${PAD},${PAD} V${H - PAD} H${W - PAD} V${PAD}" fill="none" stroke="#888"/>`,
    `<text x="${PAD - 6}" y="${PAD + 4}" text-anchor="end" font-size="11">${maxLoss.toPrecision(3)}</text>`,
    `<text x="${PAD - 6}" y="${H - PAD}" text-anchor="end" font-size="11">0</text>`,
    `<text x="${W - PAD + 6}" y="${PAD + 4}" font-size="11">100%</text>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="12">epoch ${e0}–${e1}</text>`,
    ...lines,
    '</svg>',
    '',
  ].join('\n');
}
