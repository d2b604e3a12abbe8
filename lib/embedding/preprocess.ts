import type { RgbImage } from './decode';
import { type Point, type Similarity, arcfaceReference, dlibChipReference, estimateSimilarity, invertSimilarity, stretchAffine, warpRgb } from './geometry';
import { type ModelPreset, channelAffine } from './presets';

/**
 * Writes one size x size 8-bit RGB face into slot `index` of a batch tensor the way `preset` wants it:
 * channel order, per-channel normalisation, NCHW or NHWC.
 */
export function fillModelInput(preset: ModelPreset, rgb: Uint8Array, out: Float32Array, index: number): void {
  const size = preset.inputSize;
  const plane = size * size;
  const { mul, add } = channelAffine(preset);
  // Model channel c reads source channel src[c].
  const src = preset.colourOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  const base = index * plane * 3;
  if (preset.layout === 'NCHW') {
    for (let c = 0; c < 3; c++) {
      const m = mul[c],
        a = add[c],
        s = src[c],
        o = base + c * plane;
      for (let i = 0; i < plane; i++) out[o + i] = rgb[i * 3 + s] * m + a;
    }
  } else {
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) out[base + i * 3 + c] = rgb[i * 3 + src[c]] * mul[c] + add[c];
    }
  }
}

/** Where the 5 points of the preset's alignment sit in its input square. */
export function alignmentReference(preset: ModelPreset): Point[] {
  const { alignment, inputSize } = preset;
  return alignment.kind === 'dlib-chip' ? dlibChipReference(inputSize, alignment.padding) : arcfaceReference(inputSize);
}

/** The aligned face: the least-squares similarity from `points` to the preset's reference, rendered. */
export function alignFace(image: RgbImage, points: readonly Point[], preset: ModelPreset): Uint8Array {
  const toCrop: Similarity = estimateSimilarity(points, alignmentReference(preset));
  return warpRgb(image, invertSimilarity(toCrop), preset.inputSize, preset.inputSize);
}

/** For images that are already aligned crops: the whole image stretched to the input square. */
export function resizeToInput(image: RgbImage, preset: ModelPreset): Uint8Array {
  const size = preset.inputSize;
  return warpRgb(image, stretchAffine(image, size, size), size, size);
}

export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}
