import type { RgbImage } from './decode';

export type Point = readonly [number, number];

/** x' = a*x - b*y + tx, y' = b*x + a*y + ty: rotation, uniform scale and translation. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** The ArcFace 5-point reference in a 112x112 crop: left eye, right eye, nose tip, mouth corners. */
export const ARCFACE_REFERENCE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * dlib's 5-point template on the unit square (get_face_chip_details in dlib's interpolation.h), in
 * image order: left eye outer and inner corner, right eye inner and outer corner, nose base.
 * (dlib lists them right eye first; reordered here to match landmarkPoints's order.)
 */
export const DLIB_TEMPLATE_UNIT: readonly Point[] = [
  [0.1205750620789, 0.2137274526848],
  [0.3340850613712, 0.2290642403242],
  [0.6460604764104, 0.2289674387677],
  [0.8595674595992, 0.2134981538014],
  [0.4901123135679, 0.6277975316475],
];

export function arcfaceReference(size: number): Point[] {
  const k = size / 112;
  return ARCFACE_REFERENCE_112.map(([x, y]) => [x * k, y * k]);
}

export function dlibChipReference(size: number, padding: number): Point[] {
  return DLIB_TEMPLATE_UNIT.map(([x, y]) => [((padding + x) / (2 * padding + 1)) * size, ((padding + y) / (2 * padding + 1)) * size]);
}

/** Least-squares similarity mapping `from` onto `to` (Umeyama without reflection; closed form in 2-D). */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Similarity {
  const n = from.length;
  let fx = 0,
    fy = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i][0];
    fy += from[i][1];
    tx += to[i][0];
    ty += to[i][1];
  }
  fx /= n;
  fy /= n;
  tx /= n;
  ty /= n;
  let dot = 0,
    cross = 0,
    norm = 0;
  for (let i = 0; i < n; i++) {
    const px = from[i][0] - fx,
      py = from[i][1] - fy;
    const qx = to[i][0] - tx,
      qy = to[i][1] - ty;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('cannot fit a similarity to coincident points');
  const a = dot / norm;
  const b = cross / norm;
  return { a, b, tx: tx - (a * fx - b * fy), ty: ty - (b * fx + a * fy) };
}

export function invertSimilarity({ a, b, tx, ty }: Similarity): Similarity {
  const d = a * a + b * b;
  const ia = a / d,
    ib = -b / d;
  return { a: ia, b: ib, tx: -(ia * tx - ib * ty), ty: -(ib * tx + ia * ty) };
}

export function applySimilarity({ a, b, tx, ty }: Similarity, [x, y]: Point): [number, number] {
  return [a * x - b * y + tx, b * x + a * y + ty];
}

/** x' = a*x + b*y + tx, y' = c*x + d*y + ty. */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
}

export function similarityToAffine({ a, b, tx, ty }: Similarity): Affine {
  return { a, b: -b, c: b, d: a, tx, ty };
}

/** The affine map that stretches an outW x outH output over the whole source (pixel centres aligned). */
export function stretchAffine(src: { width: number; height: number }, outW: number, outH: number): Affine {
  const sx = src.width / outW;
  const sy = src.height / outH;
  return { a: sx, b: 0, c: 0, d: sy, tx: 0.5 * sx - 0.5, ty: 0.5 * sy - 0.5 };
}

/**
 * Renders an outW x outH RGB image whose pixel (x, y) shows source point `dstToSrc(x, y)`, bilinear,
 * black outside the source (as cv2.warpAffine's default border, which the reference crops use).
 * When one output pixel spans more than 1.5 source pixels, it averages a k x k grid of bilinear
 * samples instead, so that shrinking a large face or photo does not alias.
 */
export function warpRgb(src: RgbImage, dstToSrc: Affine | Similarity, outW: number, outH: number): Uint8Array {
  const m = 'c' in dstToSrc ? dstToSrc : similarityToAffine(dstToSrc);
  const span = Math.max(Math.hypot(m.a, m.c), Math.hypot(m.b, m.d));
  return span > 1.5 ? warpSupersampled(src, m, outW, outH, Math.min(16, Math.ceil(span))) : warpBilinear(src, m, outW, outH);
}

/** One bilinear sample per output pixel: the hot path (faces and photos near the output's scale). */
function warpBilinear(src: RgbImage, m: Affine, outW: number, outH: number): Uint8Array {
  const { data, width: w, height: h } = src;
  const { a, b, c, d, tx, ty } = m;
  const stride = w * 3;
  const out = new Uint8Array(outW * outH * 3);
  const acc = [0, 0, 0];
  let o = 0;
  for (let y = 0; y < outH; y++) {
    let fx = b * y + tx;
    let fy = d * y + ty;
    for (let x = 0; x < outW; x++, fx += a, fy += c, o += 3) {
      if (fx >= 0 && fy >= 0 && fx < w - 1 && fy < h - 1) {
        // Non-negative here, so truncation is floor; a typed-array store truncates, hence + 0.5 to round.
        const x0 = fx | 0,
          y0 = fy | 0;
        const wx = fx - x0,
          wy = fy - y0;
        const p = y0 * stride + x0 * 3;
        const q = p + stride;
        const rt = data[p] + wx * (data[p + 3] - data[p]),
          rb = data[q] + wx * (data[q + 3] - data[q]);
        const gt = data[p + 1] + wx * (data[p + 4] - data[p + 1]),
          gb = data[q + 1] + wx * (data[q + 4] - data[q + 1]);
        const bt = data[p + 2] + wx * (data[p + 5] - data[p + 2]),
          bb = data[q + 2] + wx * (data[q + 5] - data[q + 2]);
        out[o] = rt + wy * (rb - rt) + 0.5;
        out[o + 1] = gt + wy * (gb - gt) + 0.5;
        out[o + 2] = bt + wy * (bb - bt) + 0.5;
      } else {
        const x0 = Math.floor(fx),
          y0 = Math.floor(fy);
        acc[0] = acc[1] = acc[2] = 0;
        addEdgeSample(src, x0, y0, fx - x0, fy - y0, acc);
        out[o] = acc[0] + 0.5;
        out[o + 1] = acc[1] + 0.5;
        out[o + 2] = acc[2] + 0.5;
      }
    }
  }
  return out;
}

/** The average of a k x k grid of bilinear samples per output pixel, for shrinking without aliasing. */
function warpSupersampled(src: RgbImage, m: Affine, outW: number, outH: number, k: number): Uint8Array {
  const { data, width: w, height: h } = src;
  const stride = w * 3;
  const out = new Uint8Array(outW * outH * 3);
  const inv = 1 / (k * k);
  const acc = [0, 0, 0];
  let o = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++, o += 3) {
      acc[0] = acc[1] = acc[2] = 0;
      for (let sy = 0; sy < k; sy++) {
        const dy = y + (sy + 0.5) / k - 0.5;
        for (let sx = 0; sx < k; sx++) {
          const dx = x + (sx + 0.5) / k - 0.5;
          const fx = m.a * dx + m.b * dy + m.tx;
          const fy = m.c * dx + m.d * dy + m.ty;
          if (fx >= 0 && fy >= 0 && fx < w - 1 && fy < h - 1) {
            const x0 = fx | 0,
              y0 = fy | 0;
            const wx = fx - x0,
              wy = fy - y0;
            const p = y0 * stride + x0 * 3;
            const q = p + stride;
            for (let ch = 0; ch < 3; ch++) {
              const top = data[p + ch] + wx * (data[p + ch + 3] - data[p + ch]);
              const bottom = data[q + ch] + wx * (data[q + ch + 3] - data[q + ch]);
              acc[ch] += top + wy * (bottom - top);
            }
          } else {
            const x0 = Math.floor(fx),
              y0 = Math.floor(fy);
            addEdgeSample(src, x0, y0, fx - x0, fy - y0, acc);
          }
        }
      }
      out[o] = acc[0] * inv + 0.5;
      out[o + 1] = acc[1] * inv + 0.5;
      out[o + 2] = acc[2] * inv + 0.5;
    }
  }
  return out;
}

/** A bilinear sample whose 4 taps straddle the image edge: taps outside count as black. */
function addEdgeSample(src: RgbImage, x0: number, y0: number, wx: number, wy: number, acc: number[]): void {
  const { data, width: w, height: h } = src;
  for (let t = 0; t < 4; t++) {
    const tx = x0 + (t & 1),
      ty = y0 + (t >> 1);
    if (tx < 0 || ty < 0 || tx >= w || ty >= h) continue;
    const wt = (t & 1 ? wx : 1 - wx) * (t >> 1 ? wy : 1 - wy);
    const p = (ty * w + tx) * 3;
    acc[0] += wt * data[p];
    acc[1] += wt * data[p + 1];
    acc[2] += wt * data[p + 2];
  }
}

/** Where cropResize writes: planar channels, each value stored as v * mul + add. */
export interface PlanarTarget {
  data: Float32Array;
  /** Index of the output's top-left value in the first (R) plane. */
  offset: number;
  rowStride: number;
  planeStride: number;
  mul: number;
  add: number;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Resizes the region of `src` (source pixels) to outW x outH straight into a planar float tensor:
 * pixel centres aligned, bilinear, edge pixels extended by half a pixel and black beyond that.
 * Shrinking by 2x or more first averages f x f blocks (as libvips' shrink-then-reduce does), which is
 * alias-free and far cheaper than supersampling. This runs for every image (the detector's 230k
 * values are the largest per-image cost outside ORT), hence no 8-bit intermediate.
 * Outputs falling outside the image are not written; the caller fills the target with black first.
 */
export function cropResize(src: RgbImage, region: Region, outW: number, outH: number, target: PlanarTarget): void {
  const { x, y, width, height } = region;
  const f = Math.floor(Math.min(width / outW, height / outH));
  if (f >= 2) {
    // Block-aligned to the image grid so that each block is an average of whole source pixels.
    const bx = Math.floor(x / f),
      by = Math.floor(y / f);
    const bw = Math.ceil((x + width) / f) - bx,
      bh = Math.ceil((y + height) / f) - by;
    const small = shrinkBlocks(src, bx * f, by * f, bw, bh, f);
    cropResize(small, { x: x / f - bx, y: y / f - by, width: width / f, height: height / f }, outW, outH, target);
    return;
  }
  const xs = taps(x, width, outW, src.width);
  const ys = taps(y, height, outH, src.height);
  const { data } = src;
  const stride = src.width * 3;
  const { data: out, offset, rowStride, planeStride, mul, add } = target;
  for (let j = 0; j < outH; j++) {
    if (ys.i0[j] < 0) continue;
    const r0 = ys.i0[j] * stride;
    const r1 = r0 + ys.step * stride;
    const wy = ys.w[j];
    const row = offset + j * rowStride;
    for (let i = 0; i < outW; i++) {
      if (xs.i0[i] < 0) continue;
      const c0 = xs.i0[i] * 3;
      const c1 = c0 + xs.step * 3;
      const wx = xs.w[i];
      const a0 = r0 + c0,
        a1 = r0 + c1,
        b0 = r1 + c0,
        b1 = r1 + c1,
        o = row + i;
      const rt = data[a0] + wx * (data[a1] - data[a0]),
        rb = data[b0] + wx * (data[b1] - data[b0]);
      const gt = data[a0 + 1] + wx * (data[a1 + 1] - data[a0 + 1]),
        gb = data[b0 + 1] + wx * (data[b1 + 1] - data[b0 + 1]);
      const bt = data[a0 + 2] + wx * (data[a1 + 2] - data[a0 + 2]),
        bb = data[b0 + 2] + wx * (data[b1 + 2] - data[b0 + 2]);
      out[o] = (rt + wy * (rb - rt)) * mul + add;
      out[o + planeStride] = (gt + wy * (gb - gt)) * mul + add;
      out[o + 2 * planeStride] = (bt + wy * (bb - bt)) * mul + add;
    }
  }
}

/**
 * Per output index along one axis: the first source tap (-1 where the sample falls outside the image),
 * the weight of the second tap, and the distance to it (0 for a 1-pixel-wide source).
 */
function taps(start: number, length: number, out: number, size: number): { i0: Int32Array; w: Float32Array; step: number } {
  const scale = length / out;
  const i0 = new Int32Array(out);
  const w = new Float32Array(out);
  const step = size > 1 ? 1 : 0;
  for (let i = 0; i < out; i++) {
    const f = start + (i + 0.5) * scale - 0.5;
    if (f < -0.5 || f > size - 0.5) {
      i0[i] = -1;
      continue;
    }
    const c = Math.min(Math.max(f, 0), size - 1);
    i0[i] = Math.min(Math.floor(c), size - 1 - step);
    w[i] = c - i0[i];
  }
  return { i0, w, step };
}

/** bw x bh averages of f x f blocks starting at source pixel (x0, y0); pixels outside the image count as black. */
function shrinkBlocks(src: RgbImage, x0: number, y0: number, bw: number, bh: number, f: number): RgbImage {
  const { data, width: w, height: h } = src;
  const out = new Uint8Array(bw * bh * 3);
  const sums = new Float64Array(bw * 3);
  const inv = 1 / (f * f);
  for (let by = 0; by < bh; by++) {
    sums.fill(0);
    for (let dy = 0; dy < f; dy++) {
      const sy = y0 + by * f + dy;
      if (sy < 0 || sy >= h) continue;
      const row = sy * w * 3;
      for (let bx = 0; bx < bw; bx++) {
        const sx0 = x0 + bx * f;
        const from = Math.max(sx0, 0),
          to = Math.min(sx0 + f, w);
        let r = 0,
          g = 0,
          b = 0;
        for (let p = row + from * 3, end = row + to * 3; p < end; p += 3) {
          r += data[p];
          g += data[p + 1];
          b += data[p + 2];
        }
        sums[bx * 3] += r;
        sums[bx * 3 + 1] += g;
        sums[bx * 3 + 2] += b;
      }
    }
    for (let i = 0; i < bw * 3; i++) out[by * bw * 3 + i] = sums[i] * inv + 0.5;
  }
  return { data: out, width: bw, height: bh };
}
