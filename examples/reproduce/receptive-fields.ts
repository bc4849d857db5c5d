import { encode } from 'fast-png';
import type { HostTensor } from '@spikeflow/core';

/**
 * Each neuron's input weights (a column of W [side², N]) as a side × side grey tile, the tiles in a
 * near-square grid with a 1-pixel gap; every tile scaled by its own maximum, so a neuron's field
 * shows whatever its normalised weights learned.
 */
export function receptiveFieldsPng(w: HostTensor, side: number): Uint8Array {
  const [inputs, neurons] = w.type.shape as [number, number];
  if (inputs !== side * side) throw new Error(`receptive fields: W has ${inputs} inputs, not ${side}×${side}`);
  const cols = Math.ceil(Math.sqrt(neurons));
  const rows = Math.ceil(neurons / cols);
  const width = cols * (side + 1) + 1;
  const height = rows * (side + 1) + 1;
  const pixels = new Uint8Array(width * height).fill(40);
  for (let j = 0; j < neurons; j++) {
    let max = 0;
    for (let i = 0; i < inputs; i++) max = Math.max(max, w.data[i * neurons + j]!);
    const x0 = 1 + (j % cols) * (side + 1);
    const y0 = 1 + Math.floor(j / cols) * (side + 1);
    for (let i = 0; i < inputs; i++) {
      const v = max > 0 ? w.data[i * neurons + j]! / max : 0;
      pixels[(y0 + Math.floor(i / side)) * width + x0 + (i % side)] = Math.round(255 * v);
    }
  }
  return encode({ width, height, data: pixels, channels: 1, depth: 8 });
}
