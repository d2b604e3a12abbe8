import zlib from 'node:zlib';
import type { RgbImage } from './decode';

/**
 * A direct decoder for the plainest PNGs: 8-bit greyscale or RGB, not interlaced, no transparency,
 * colour profile, gamma or EXIF chunk. Face datasets are mostly such files (the sample is 8-bit grey),
 * and for them sharp's per-call overhead (~1 ms for a 150x150 image, more than the pixels take to
 * inflate) would alone cost more than the 15% of inference time decoding may take. For these files
 * the result is byte-for-byte what sharp gives (a test checks it); anything else returns undefined so
 * that the caller uses sharp, which also judges damaged files. Pixel data that inflates past what the
 * header promises is refused (`{ refused }`), never inflated to the end: 510 KiB of IDAT can hold 512 MiB.
 */

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Chunks that do not change decoded pixels (text, physical size, time, the sRGB marker itself). */
const HARMLESS_CHUNKS = new Set(['tEXt', 'zTXt', 'iTXt', 'pHYs', 'tIME', 'sRGB']);

/** Above this, decoding on the main thread would stall the event loop; sharp decodes off-thread. */
const MAX_FAST_PIXELS = 1_000_000;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

export function decodePlainPng(bytes: Uint8Array): RgbImage | { refused: string } | undefined {
  if (!isPng(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0,
    height = 0,
    channels = 0;
  const idat: Uint8Array[] = [];
  let pos = 8;
  let sawEnd = false;
  while (pos + 12 <= bytes.length) {
    const length = view.getUint32(pos);
    const end = pos + 12 + length;
    if (end > bytes.length) return undefined;
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    const body = bytes.subarray(pos + 8, pos + 8 + length);
    if (zlib.crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) return undefined;
    if (type === 'IHDR') {
      if (pos !== 8 || length !== 13) return undefined;
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      const [depth, colourType, compression, filter, interlace] = body.subarray(8, 13);
      if (depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
      if (colourType === 0) channels = 1;
      else if (colourType === 2) channels = 3;
      else return undefined;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    } else if (!HARMLESS_CHUNKS.has(type)) {
      return undefined;
    }
    pos = end;
  }
  if (!sawEnd || channels === 0 || idat.length === 0) return undefined;
  if (width === 0 || height === 0 || width * height > MAX_FAST_PIXELS) return undefined;

  const rowBytes = width * channels;
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat), { maxOutputLength: height * (rowBytes + 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') return undefined;
    return { refused: `its pixel data inflates to more than the ${width}x${height} its header promises (a decompression bomb?)` };
  }
  if (raw.length !== height * (rowBytes + 1)) return undefined;

  const pixels = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filterType = raw[y * (rowBytes + 1)];
    const src = y * (rowBytes + 1) + 1;
    const dst = y * rowBytes;
    const up = dst - rowBytes;
    switch (filterType) {
      case 0:
        pixels.set(raw.subarray(src, src + rowBytes), dst);
        break;
      case 1:
        for (let i = 0; i < rowBytes; i++) {
          pixels[dst + i] = raw[src + i] + (i >= channels ? pixels[dst + i - channels] : 0);
        }
        break;
      case 2:
        for (let i = 0; i < rowBytes; i++) pixels[dst + i] = raw[src + i] + (y > 0 ? pixels[up + i] : 0);
        break;
      case 3:
        for (let i = 0; i < rowBytes; i++) {
          const left = i >= channels ? pixels[dst + i - channels] : 0;
          const above = y > 0 ? pixels[up + i] : 0;
          pixels[dst + i] = raw[src + i] + ((left + above) >> 1);
        }
        break;
      case 4:
        for (let i = 0; i < rowBytes; i++) {
          const a = i >= channels ? pixels[dst + i - channels] : 0;
          const b = y > 0 ? pixels[up + i] : 0;
          const c = i >= channels && y > 0 ? pixels[up + i - channels] : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a),
            pb = Math.abs(p - b),
            pc = Math.abs(p - c);
          pixels[dst + i] = raw[src + i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        return undefined;
    }
  }
  if (channels === 3) return { data: pixels, width, height };
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < pixels.length; i++, o += 3) {
    const v = pixels[i];
    rgb[o] = v;
    rgb[o + 1] = v;
    rgb[o + 2] = v;
  }
  return { data: rgb, width, height };
}
