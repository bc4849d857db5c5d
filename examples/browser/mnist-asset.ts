import { MNIST_PIXELS, type MnistData } from '@spikeflow/models';

/**
 * The page's MNIST digits as one binary file: a u32 count N (little-endian), N label bytes, then
 * N·784 pixel bytes. The `mnist` package's intensities are k/255 rounded to 3 decimals, so a byte
 * k holds one exactly (`decodeMnist` restores the package's value, not just a close one) in a
 * tenth of the bytes of the package's JSON, which the page would otherwise bundle (~21 MB).
 */
export const MNIST_ASSET_PATH = '/mnist.bin';

const HEADER_BYTES = 4;
const toByte = (v: number): number => Math.round(v * 255);
const fromByte = (k: number): number => Math.round((k * 1000) / 255) / 1000;

export function encodeMnist(data: MnistData): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + data.count * (1 + MNIST_PIXELS));
  new DataView(out.buffer).setUint32(0, data.count, true);
  out.set(data.labels, HEADER_BYTES);
  const pixels = out.subarray(HEADER_BYTES + data.count);
  data.images.forEach((v, i) => {
    const k = toByte(v);
    // Math.fround: the images are f32, so compare in f32.
    if (k < 0 || k > 255 || Math.fround(fromByte(k)) !== v) throw new Error(`mnist images[${i}] = ${v} is not an intensity k/255 rounded to 3 decimals; the byte format cannot hold it`);
    pixels[i] = k;
  });
  return out;
}

export function decodeMnist(bytes: Uint8Array): MnistData {
  if (bytes.length < HEADER_BYTES) throw new Error(`mnist asset: ${bytes.length} bytes, shorter than its ${HEADER_BYTES}-byte header`);
  const count = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  const expected = HEADER_BYTES + count * (1 + MNIST_PIXELS);
  if (bytes.length !== expected) throw new Error(`mnist asset: header says ${count} digits, which take ${expected} bytes, but the file has ${bytes.length}`);
  const labels = Int32Array.from(bytes.subarray(HEADER_BYTES, HEADER_BYTES + count));
  const byteValues = Float32Array.from({ length: 256 }, (_, k) => fromByte(k));
  const images = Float32Array.from(bytes.subarray(HEADER_BYTES + count), (k) => byteValues[k]!);
  return { count, images, labels };
}

/** The digits the page's server publishes at MNIST_ASSET_PATH. */
export async function fetchMnist(): Promise<MnistData> {
  const response = await fetch(MNIST_ASSET_PATH);
  if (!response.ok) throw new Error(`cannot load the MNIST digits from ${MNIST_ASSET_PATH}: HTTP ${response.status}`);
  return decodeMnist(new Uint8Array(await response.arrayBuffer()));
}
