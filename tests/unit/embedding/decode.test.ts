import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { type RgbImage, decodeToRgb } from '@/lib/embedding/decode';
import { decodePlainPng } from '@/lib/embedding/png';
import { pngChunk } from '@/tests/support/png';

const FACE = path.join(process.cwd(), 'tests', 'fixtures', 'faces-bbt', 'amy', 'amy1.png');

/** An asymmetric colour image: any flip, rotation or channel swap changes it. */
async function colourPattern(): Promise<Buffer> {
  const width = 40,
    height = 30;
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      raw[o] = x * 6;
      raw[o + 1] = y * 8;
      raw[o + 2] = 255 - x * 3 - y * 2;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

async function decodeOk(bytes: Uint8Array): Promise<RgbImage> {
  const result = await decodeToRgb(bytes);
  if (!result.ok) throw new Error(`expected a decoded image, got ${result.code}: ${result.reason}`);
  return result.image;
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

/** A PNG that declares width x height pixels but holds almost no data: a decompression bomb's header. */
function pngHeaderOnly(width: number, height: number): Buffer {
  return greyPng(width, height, Buffer.alloc(width + 1));
}

/** An 8-bit greyscale PNG of the given size whose IDAT inflates to `pixelData`, whatever its length. */
function greyPng(width: number, height: number, pixelData: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, pngChunk('IHDR', ihdr), pngChunk('IDAT', zlib.deflateSync(pixelData, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

describe('decodeToRgb', () => {
  it('turns a greyscale PNG into RGB with three equal channels', async () => {
    const image = await decodeOk(fs.readFileSync(FACE));
    const grey = await sharp(FACE).extractChannel(0).raw().toBuffer();
    expect([image.width, image.height, image.data.length, grey.length]).toEqual([150, 150, 150 * 150 * 3, 150 * 150]);
    for (let i = 0; i < grey.length; i++) {
      expect([image.data[i * 3], image.data[i * 3 + 1], image.data[i * 3 + 2]]).toEqual([grey[i], grey[i], grey[i]]);
    }
  });

  it('gives the same pixels for 8-bit, 16-bit, palette and opaque-alpha versions of an image', async () => {
    const source = await colourPattern();
    const expected = await decodeOk(source);
    const variants = {
      rgb16: await sharp(source).toColourspace('rgb16').png().toBuffer(),
      palette: await sharp(source).png({ palette: true, colours: 256, dither: 0 }).toBuffer(),
      rgba: await sharp(source).ensureAlpha().png().toBuffer(),
      tiff: await sharp(source).tiff({ compression: 'lzw' }).toBuffer(),
      webpLossless: await sharp(source).webp({ lossless: true }).toBuffer(),
    };
    for (const [name, bytes] of Object.entries(variants)) {
      const image = await decodeOk(bytes);
      expect([name, image.width, image.height]).toEqual([name, 40, 30]);
      // A 256-colour palette cannot hold all 1200 colours exactly.
      expect(meanAbsDiff(image.data, expected.data)).toBeLessThanOrEqual(name === 'palette' ? 4 : 0);
    }
    const grey16 = await decodeOk(await sharp(FACE).toColourspace('grey16').png().toBuffer());
    expect(Buffer.from(grey16.data).equals(Buffer.from((await decodeOk(fs.readFileSync(FACE))).data))).toBe(true);
  });

  it('flattens transparency onto black', async () => {
    const source = await colourPattern();
    const opaque = await decodeOk(source);
    const halfTransparent = await sharp(source).ensureAlpha(0.5).png().toBuffer();
    const image = await decodeOk(halfTransparent);
    for (let i = 0; i < image.data.length; i++) {
      expect(Math.abs(image.data[i] - opaque.data[i] * (128 / 255))).toBeLessThanOrEqual(1.5);
    }
  });

  it('turns EXIF-rotated images upright', async () => {
    const source = await colourPattern();
    const upright = await decodeOk(source);
    // Pixels stored turned, with the orientation tag that turns them back for display.
    const stored = [
      { orientation: 3, turn: 180 },
      { orientation: 6, turn: -90 },
      { orientation: 8, turn: 90 },
    ];
    for (const { orientation, turn } of stored) {
      const png = await sharp(source).rotate(turn).withMetadata({ orientation }).png().toBuffer();
      const image = await decodeOk(png);
      expect([orientation, image.width, image.height]).toEqual([orientation, 40, 30]);
      expect(meanAbsDiff(image.data, upright.data)).toBe(0);
    }
    const jpeg = await sharp(source).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    const fromJpeg = await decodeOk(jpeg);
    expect([fromJpeg.width, fromJpeg.height]).toEqual([40, 30]);
    expect(meanAbsDiff(fromJpeg.data, upright.data)).toBeLessThan(4);
  });

  it('converts CMYK JPEGs to RGB in the same orientation', async () => {
    const source = await colourPattern();
    const upright = await decodeOk(source);
    const cmyk = await sharp(source).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const image = await decodeOk(cmyk);
    expect([image.width, image.height, image.data.length]).toEqual([40, 30, 40 * 30 * 3]);
    // Colour management makes CMYK -> RGB inexact, but a flipped or channel-swapped image is far off.
    expect(meanAbsDiff(image.data, upright.data)).toBeLessThan(20);
  });

  it('downscales an image over maxSide and reports its original size', async () => {
    const big = await sharp(await colourPattern())
      .resize(400, 300)
      .png()
      .toBuffer();
    const result = await decodeToRgb(big, { maxSide: 100 });
    expect(result.ok && [result.width, result.height, result.image.width, result.image.height]).toEqual([400, 300, 100, 75]);
  });

  it('reports why an input cannot be decoded instead of throwing', async () => {
    const png = fs.readFileSync(FACE);
    const jpeg = await sharp(FACE).jpeg().toBuffer();
    const cases: [string, Uint8Array, string][] = [
      ['zero bytes', new Uint8Array(0), 'empty-file'],
      ['a text file', Buffer.from('not an image, just text\n'), 'not-an-image'],
      ['a truncated PNG', png.subarray(0, Math.floor(png.length / 2)), 'corrupt'],
      ['a truncated JPEG', jpeg.subarray(0, Math.floor(jpeg.length / 2)), 'corrupt'],
      ['a PNG with only a signature', png.subarray(0, 8), 'corrupt'],
    ];
    for (const [name, bytes, code] of cases) {
      const result = await decodeToRgb(bytes);
      expect([name, result.ok, !result.ok && result.code]).toEqual([name, false, code]);
      expect(!result.ok && result.reason.length).toBeGreaterThan(5);
    }
  });

  it('refuses a 20000x20000 image from its header, without decoding it', async () => {
    const result = await decodeToRgb(pngHeaderOnly(20000, 20000));
    expect(result).toMatchObject({ ok: false, code: 'too-large', width: 20000, height: 20000 });
    expect(!result.ok && result.reason).toMatch(/400 MP.*50 MP/);
  });
});

describe('decodePlainPng', () => {
  it('refuses pixel data that inflates past what the header promises, and so does decodeToRgb', async () => {
    // 1000x1000 promises 1,001,000 bytes of filtered rows; these 64 KiB inflate to 64 MiB (a real bomb: 510 KiB to 512 MiB).
    const bomb = greyPng(1000, 1000, Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    expect(decodePlainPng(bomb)).toEqual({ refused: expect.stringMatching(/inflates to more than the 1000x1000 its header promises/) });
    expect(await decodeToRgb(bomb)).toMatchObject({ ok: false, code: 'corrupt', reason: expect.stringMatching(/decompression bomb/) });
  });

  it('decodes plain greyscale and RGB PNGs byte-for-byte as sharp does, for every filter type', async () => {
    const pattern = await colourPattern();
    const inputs = [
      fs.readFileSync(FACE),
      await sharp(FACE).png({ adaptiveFiltering: true, compressionLevel: 9 }).toBuffer(),
      await sharp(FACE).resize(97, 61).png({ adaptiveFiltering: true }).toBuffer(),
      pattern,
      await sharp(pattern).png({ adaptiveFiltering: true }).toBuffer(),
      await sharp(pattern).png({ compressionLevel: 0 }).toBuffer(),
    ];
    for (const bytes of inputs) {
      const fast = decodePlainPng(bytes);
      if (!fast || 'refused' in fast) throw new Error(`not decoded by the fast path: ${JSON.stringify(fast)}`);
      const viaSharp = await sharp(bytes).toColourspace('srgb').raw().toBuffer();
      expect(Buffer.from(fast.data).equals(viaSharp)).toBe(true);
    }
  });

  it('leaves PNGs with alpha, palettes, 16 bits, interlacing, EXIF or damage to sharp', async () => {
    const png = fs.readFileSync(FACE);
    const damaged = Buffer.from(png);
    damaged[60] ^= 0xff;
    const others = [
      await sharp(FACE).ensureAlpha().png().toBuffer(),
      await sharp(FACE).png({ palette: true }).toBuffer(),
      await sharp(FACE).toColourspace('grey16').png().toBuffer(),
      await sharp(FACE).png({ progressive: true }).toBuffer(),
      await sharp(FACE).withMetadata({ orientation: 6 }).png().toBuffer(),
      damaged,
      png.subarray(0, 200),
    ];
    for (const bytes of others) expect(decodePlainPng(bytes)).toBeUndefined();
  });
});
