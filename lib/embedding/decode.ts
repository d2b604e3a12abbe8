import sharp, { type Metadata } from 'sharp';
import { decodePlainPng } from './png';

/** An 8-bit RGB image, rows top to bottom, pixels interleaved R,G,B. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export type DecodeFailureCode = 'empty-file' | 'read-error' | 'not-an-image' | 'corrupt' | 'too-large';

export interface DecodeFailure {
  ok: false;
  code: DecodeFailureCode;
  reason: string;
  /** Known when the header could be read (e.g. for too-large images). */
  width: number;
  height: number;
}

export interface DecodeSuccess {
  ok: true;
  image: RgbImage;
  /** Size of the upright (EXIF-rotated) original, before any working-size reduction. */
  width: number;
  height: number;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;

export interface DecodeOptions {
  /** Images with more pixels than this are refused without being decoded. */
  maxInputPixels?: number;
  /** Downscale (never upscale) so that neither side exceeds this; bounds the memory one image can take. */
  maxSide?: number;
}

/**
 * 50 MP: every real camera and scanner output fits; a 20000x20000 bomb (400 MP) does not. The one pixel limit
 * of facesift: embedding and thumbnails both refuse larger images (sharp's own default would be 268 MP).
 */
export const DEFAULT_MAX_INPUT_PIXELS = 50_000_000;

/** Transparent pixels become black, sharp's own default, so every model sees the same background. */
const FLATTEN_BACKGROUND = { r: 0, g: 0, b: 0 };

function failure(code: DecodeFailureCode, reason: string, width = 0, height = 0): DecodeFailure {
  return { ok: false, code, reason, width, height };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Decodes any image sharp reads (greyscale, alpha, CMYK, 16-bit, palette, EXIF-rotated) to upright
 * 8-bit sRGB. Never throws: a bad input comes back as a typed failure with a reason.
 */
export async function decodeToRgb(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodeResult> {
  if (bytes.length === 0) return failure('empty-file', 'the file is empty (0 bytes)');
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const plain = decodePlainPng(bytes);
  if (plain && 'refused' in plain) return failure('corrupt', plain.refused);
  if (plain && plain.width * plain.height <= maxInputPixels && Math.max(plain.width, plain.height) <= (options.maxSide ?? Infinity)) {
    return { ok: true, image: plain, width: plain.width, height: plain.height };
  }

  let meta: Metadata;
  try {
    // Only the header is read here, so no pixel limit yet: it is applied below with the size in hand.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    const message = errorMessage(err);
    return /unsupported image format/i.test(message)
      ? failure('not-an-image', 'not an image in a format facesift can read')
      : failure('corrupt', `the image header is damaged: ${message}`);
  }
  // EXIF orientations 5-8 swap the sides once the image is upright.
  const swap = (meta.orientation ?? 1) >= 5;
  const width = (swap ? meta.height : meta.width) ?? 0;
  const height = (swap ? meta.width : meta.height) ?? 0;
  if (width * height > maxInputPixels) {
    const mp = ((width * height) / 1e6).toFixed(0);
    return failure('too-large', `${width}x${height} (${mp} MP) is over the ${(maxInputPixels / 1e6).toFixed(0)} MP limit for one image`, width, height);
  }

  try {
    // 'error' also rejects truncated data, which 'none'/'truncated' would silently pad with grey.
    let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: maxInputPixels }).rotate();
    if (options.maxSide && Math.max(width, height) > options.maxSide) {
      pipeline = pipeline.resize({
        width: options.maxSide,
        height: options.maxSide,
        fit: 'inside',
        withoutEnlargement: true,
      });
    }
    const { data, info } = await pipeline
      .flatten({ background: FLATTEN_BACKGROUND })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      return failure('corrupt', `decoded to ${info.channels} channels instead of RGB`, width, height);
    }
    return { ok: true, image: { data, width: info.width, height: info.height }, width, height };
  } catch (err) {
    return failure('corrupt', `the image data is damaged or truncated: ${errorMessage(err)}`, width, height);
  }
}
