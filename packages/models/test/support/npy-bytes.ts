import { strToU8 } from 'fflate';

/** A .npy file by hand: magic, version, header length, the header text padded to 16 bytes, then `data`. */
export function npyBytes(header: string, data: Uint8Array = new Uint8Array(0), major = 1): Uint8Array {
  const lengthBytes = major === 1 ? 2 : 4;
  const padded = header.padEnd(Math.ceil((10 + header.length + 1) / 16) * 16 - 10 - 1 + (lengthBytes - 2), ' ') + '\n';
  const out = new Uint8Array(8 + lengthBytes + padded.length + data.length);
  out.set([0x93, ...strToU8('NUMPY'), major, 0]);
  new DataView(out.buffer).setUint32(8, padded.length, true);
  if (major === 1) new DataView(out.buffer).setUint16(8, padded.length, true);
  out.set(strToU8(padded), 8 + lengthBytes);
  out.set(data, 8 + lengthBytes + padded.length);
  return out;
}
