import { describe, expect, it } from 'vitest';
import { PRESETS } from '@/lib/embedding';
import type { RgbImage } from '@/lib/embedding/decode';
import {
  ARCFACE_REFERENCE_112,
  type Point,
  type Similarity,
  applySimilarity,
  cropResize,
  dlibChipReference,
  estimateSimilarity,
  invertSimilarity,
  stretchAffine,
  warpRgb,
} from '@/lib/embedding/geometry';
import { alignFace, alignmentReference } from '@/lib/embedding/preprocess';

function similarity(angleDeg: number, scale: number, tx: number, ty: number): Similarity {
  const t = (angleDeg * Math.PI) / 180;
  return { a: scale * Math.cos(t), b: scale * Math.sin(t), tx, ty };
}

function squaredError(s: Similarity, from: readonly Point[], to: readonly Point[]): number {
  return from.reduce((sum, p, i) => {
    const [x, y] = applySimilarity(s, p);
    return sum + (x - to[i][0]) ** 2 + (y - to[i][1]) ** 2;
  }, 0);
}

/** A black image with a 3x3 white dot centred on each point. */
function dots(width: number, height: number, points: readonly Point[]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (const [px, py] of points) {
    for (let y = Math.round(py) - 1; y <= Math.round(py) + 1; y++) {
      for (let x = Math.round(px) - 1; x <= Math.round(px) + 1; x++) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { data, width, height };
}

/** Brightness-weighted centre of the pixels within `radius` of `near`. */
function centroid(rgb: Uint8Array, size: number, near: Point, radius: number): Point {
  let sx = 0,
    sy = 0,
    sw = 0;
  for (let y = Math.floor(near[1] - radius); y <= near[1] + radius; y++) {
    for (let x = Math.floor(near[0] - radius); x <= near[0] + radius; x++) {
      const w = rgb[(y * size + x) * 3];
      sx += w * x;
      sy += w * y;
      sw += w;
    }
  }
  return [sx / sw, sy / sw];
}

describe('alignment geometry', () => {
  it('recovers a rotation, scale and shift exactly from 5 matching points, and inverts it', () => {
    const truth = similarity(17, 1.8, -40, 25);
    const from = ARCFACE_REFERENCE_112;
    const to = from.map((p) => applySimilarity(truth, p));
    const fitted = estimateSimilarity(from, to);
    for (const key of ['a', 'b', 'tx', 'ty'] as const) expect(fitted[key]).toBeCloseTo(truth[key], 9);
    const back = applySimilarity(invertSimilarity(fitted), to[2]);
    expect(back[0]).toBeCloseTo(from[2][0], 9);
    expect(back[1]).toBeCloseTo(from[2][1], 9);
  });

  it('fits noisy points in the least-squares sense', () => {
    const from = ARCFACE_REFERENCE_112;
    const noise = [
      [1.5, -2],
      [-1, 0.5],
      [2, 1],
      [-0.5, -1.5],
      [0.3, 2.2],
    ];
    const to = from.map((p, i) => {
      const [x, y] = applySimilarity(similarity(-8, 2.2, 10, 4), p);
      return [x + noise[i][0], y + noise[i][1]] as Point;
    });
    const fitted = estimateSimilarity(from, to);
    const best = squaredError(fitted, from, to);
    for (const key of ['a', 'b', 'tx', 'ty'] as const) {
      for (const delta of [-1e-3, 1e-3]) {
        expect(squaredError({ ...fitted, [key]: fitted[key] + delta }, from, to)).toBeGreaterThan(best);
      }
    }
  });

  it('scales the ArcFace reference with the input size and pads the dlib template as dlib does', () => {
    expect(alignmentReference(PRESETS.default)).toEqual(ARCFACE_REFERENCE_112);
    const chip = dlibChipReference(224, 0.1);
    // dlib: (padding + x) / (2 * padding + 1) * size, for its left-eye outer corner (0.1205..., 0.2137...).
    expect(chip[0][0]).toBeCloseTo(((0.1 + 0.1205750620789) / 1.2) * 224, 9);
    expect(chip[0][1]).toBeCloseTo(((0.1 + 0.2137274526848) / 1.2) * 224, 9);
    expect(alignmentReference(PRESETS['face01-japanese-v1'])).toEqual(chip);
  });

  for (const preset of [PRESETS.default, PRESETS['face01-japanese-v1']]) {
    it(`puts the 5 face points at the ${preset.name} preset's reference positions`, () => {
      const reference = alignmentReference(preset);
      // The face as it appears in a photo: turned 25 degrees, 2.5x larger than the crop, off-centre.
      const inPhoto = reference.map((p) => applySimilarity(similarity(25, 2.5 * (112 / preset.inputSize), 180, 20), p));
      const crop = alignFace(dots(420, 360, inPhoto), inPhoto, preset);
      expect(crop.length).toBe(preset.inputSize * preset.inputSize * 3);
      for (const ref of reference) {
        const [x, y] = centroid(crop, preset.inputSize, ref, 3);
        expect(Math.hypot(x - ref[0], y - ref[1])).toBeLessThan(0.5);
      }
    });
  }

  it('averages when shrinking, so fine detail becomes grey instead of aliasing', () => {
    const size = 240;
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) data.fill((x + y) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
    const small = warpRgb({ data, width: size, height: size }, stretchAffine({ width: size, height: size }, 20, 20), 20, 20);
    for (const v of small) expect(Math.abs(v - 127.5)).toBeLessThan(8);
  });

  it('copies pixels unchanged when source and output sizes match', () => {
    const data = Uint8Array.from({ length: 7 * 5 * 3 }, (_, i) => (i * 37) % 256);
    const out = warpRgb({ data, width: 7, height: 5 }, stretchAffine({ width: 7, height: 5 }, 7, 5), 7, 5);
    expect(Array.from(out)).toEqual(Array.from(data));
  });

  it('resizes a region into planar floats: exact at the same size, black outside the image', () => {
    const data = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => (i * 37) % 256);
    const image = { data, width: 4, height: 3 };
    const plane = 6 * 5;
    const out = new Float32Array(3 * plane).fill(-1);
    // The whole image, one pixel in from the target's corner, stored as v / 2.
    cropResize(image, { x: 0, y: 0, width: 4, height: 3 }, 4, 3, { data: out, offset: 6 + 1, rowStride: 6, planeStride: plane, mul: 0.5, add: 0 });
    for (let y = 0; y < 3; y++) {
      for (let x = 0; x < 4; x++) {
        for (let c = 0; c < 3; c++) expect(out[c * plane + (y + 1) * 6 + x + 1]).toBe(data[(y * 4 + x) * 3 + c] / 2);
      }
    }
    expect(out[0]).toBe(-1);
    // A region reaching 2 pixels left of the image: those outputs are left as they were.
    const shifted = new Float32Array(3 * 12).fill(-1);
    cropResize(image, { x: -2, y: 0, width: 4, height: 3 }, 4, 3, { data: shifted, offset: 0, rowStride: 4, planeStride: 12, mul: 1, add: 0 });
    expect([shifted[0], shifted[1], shifted[2]]).toEqual([-1, -1, data[0]]);
  });

  it('averages blocks when a region shrinks by 2x or more, so fine detail becomes grey', () => {
    const size = 240;
    const data = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) data.fill((x + y) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
    const out = new Float32Array(3 * 30 * 30);
    cropResize({ data, width: size, height: size }, { x: 0, y: 0, width: size, height: size }, 30, 30, {
      data: out,
      offset: 0,
      rowStride: 30,
      planeStride: 900,
      mul: 1,
      add: 0,
    });
    for (const v of out) expect(Math.abs(v - 127.5)).toBeLessThan(1);
  });
});
