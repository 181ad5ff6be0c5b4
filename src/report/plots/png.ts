/**
 * PNG files from raw 8-bit pixels: one IHDR, one IDAT of zlib-compressed scanlines (no
 * filter), one IEND (the PNG specification, 2nd edition, sections 5 and 11). For the
 * templates' 32×32 images, which the template grid embeds in its SVG.
 */
import zlib from 'node:zlib';

/** channels: 3 (RGB) or 4 (RGBA). */
export type Channels = 3 | 4;

/** An image as a PNG file. */
export function pngFile(pixels: Uint8Array, width: number, height: number, channels: Channels): Uint8Array {
  return frame(width, height, channels, zlib.deflateSync(scanlines(pixels, width, height, channels)));
}

/** Each row of pixels behind its filter-type byte, 0 (none): on images this small the filters would save little. */
function scanlines(pixels: Uint8Array, width: number, height: number, channels: Channels): Uint8Array {
  const row = width * channels;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height)) || pixels.length !== row * height) {
    throw new Error(`pngFile: ${pixels.length} bytes are not ${width}×${height} pixels of ${channels} channels`);
  }
  const out = new Uint8Array(height * (row + 1)); // zeroed: every filter byte is already 0
  for (let y = 0; y < height; y++) out.set(pixels.subarray(y * row, (y + 1) * row), y * (row + 1) + 1);
  return out;
}

function frame(width: number, height: number, channels: Channels, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = channels === 4 ? 6 : 2; // colour type: RGBA or RGB
  // compression 0 (deflate), filter method 0, no interlace: bytes 10–12 stay 0
  const parts = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const SIGNATURE = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

/** length, type, data, and the CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  v.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

// CRC-32 as in zlib and PNG (reflected polynomial 0xEDB88320), by a table of the 256 bytes.
// zlib.crc32 would do, but Node has it only from 20.15.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
