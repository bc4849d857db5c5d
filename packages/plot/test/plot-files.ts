// Reads back what the plot module writes, independently of it: the text of an SVG's axes, legend
// and titles (Vega's SVG marks each with a role class), a line's points, and a PNG's size and
// pixels (chunks walked, IDAT inflated with node:zlib, every row filter byte checked).
import { inflateSync } from 'node:zlib';

/** The non-empty texts of a fragment (a label Vega hides to avoid overlap is an empty `<text/>`). */
const texts = (fragment: string): string[] =>
  [...fragment.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<')).filter((t) => t !== '');

/** The text of every `<g class="mark-text role-…">` group of `role`, in document order. */
export function roleTexts(svg: string, role: 'axis-title' | 'axis-label' | 'legend-label' | 'title-text'): string[][] {
  return [...svg.matchAll(new RegExp(`<g class="mark-text role-${role}"[^>]*>((?:<text[^>]*(?:/>|>[^<]*</text>))*)</g>`, 'g'))].map((m) => texts(m[1]!));
}

/** The data rules (not grid or tick lines) of a fragment: y offset, horizontal span [from, to] and whether dashed. */
export function dataRules(fragment: string): { y: number; span: [number, number]; dashed: boolean }[] {
  return [...fragment.matchAll(/<g class="mark-rule role-mark[^"]*"[^>]*>((?:<line[^>]*\/>)*)<\/g>/g)].flatMap((m) =>
    [...m[1]!.matchAll(/<line([^>]*)\/>/g)].map(([, attributes]) => {
      const [, x, y] = /transform="translate\(([-\d.]+),([-\d.]+)\)"/.exec(attributes!)!.map(Number);
      const x2 = Number(/ x2="([-\d.]+)"/.exec(attributes!)?.[1] ?? 0);
      return { y: y!, span: [Math.min(x!, x! + x2), Math.max(x!, x! + x2)] as [number, number], dashed: attributes!.includes('stroke-dasharray') };
    }),
  );
}

/** The panels of a vertically concatenated plot, as SVG fragments in order (concat_0, concat_1, ...). */
export function panels(svg: string): string[] {
  const starts = [...svg.matchAll(/<g class="mark-group role-scope concat_\d+_group"/g)].map((m) => m.index!);
  return starts.map((start, k) => svg.slice(start, starts[k + 1] ?? svg.length));
}

/** The [x, y] points of each line mark's path (`d="M x,y L x,y ..."`), in panel coordinates. */
export function linePoints(fragment: string): [number, number][][] {
  return [...fragment.matchAll(/aria-roledescription="line mark" d="([^"]+)"/g)].map((m) =>
    m[1]!.split(/[ML]/).filter((p) => p !== '').map((p) => p.split(',').map(Number) as [number, number]),
  );
}

export const svgSize = (svg: string): { width: number; height: number } => {
  const m = /^<svg[^>]* width="([\d.]+)" height="([\d.]+)"/.exec(svg);
  if (m === null) throw new Error('no <svg width height>');
  return { width: Number(m[1]), height: Number(m[2]) };
};

/** The size a plot's PNG is drawn at: twice its SVG's, so it stays sharp on high-density screens. */
export const doubled = (size: { width: number; height: number }) => ({ width: Math.ceil(2 * size.width), height: Math.ceil(2 * size.height) });

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** Size of an 8-bit PNG, after checking its signature and that its pixel data inflates to exactly height rows of width pixels. */
export function decodePngSize(bytes: Uint8Array): { width: number; height: number } {
  if (!PNG_SIGNATURE.every((b, k) => bytes[k] === b)) throw new Error('not a PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let [width, height, channels] = [0, 0, 0];
  const idat: Uint8Array[] = [];
  for (let at = 8; at < bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      [width, height] = [view.getUint32(at + 8), view.getUint32(at + 12)];
      if (data[8] !== 8) throw new Error(`bit depth ${data[8]}, not 8`);
      channels = CHANNELS[data[9]!] ?? 0;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + width * channels;
  if (channels === 0 || raw.length !== height * stride) throw new Error(`pixel data of ${raw.length} bytes for ${width}×${height}×${channels}`);
  for (let row = 0; row < height; row++) if (raw[row * stride]! > 4) throw new Error(`row ${row}: filter ${raw[row * stride]}`);
  return { width, height };
}
