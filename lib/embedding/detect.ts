import type { RgbImage } from './decode';
import { type Point, type Similarity, cropResize } from './geometry';

/** fr_detect's input: the whole image, with a border, stretched to this size. */
export const DETECTOR_WIDTH = 320;
export const DETECTOR_HEIGHT = 240;
export const DETECTOR_ANCHORS = 4420;
export const LANDMARK_SIZE = 64;

export const DEFAULT_DETECTION_THRESHOLD = 0.6;
export const NMS_IOU = 0.3;

/** A face box in working-image pixels, with the detector's score. */
export interface FaceBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
}

/**
 * Maps the detector's normalised coordinates to working-image pixels: x = u * scaleX - offsetX. The
 * detector sees the image with a border (see DETECTOR_LAYOUT), hence the offsets.
 */
export interface DetectorFrame {
  scaleX: number;
  offsetX: number;
  scaleY: number;
  offsetY: number;
}

/**
 * A black border of this fraction of the image's side on every side of the detector's view. Without
 * one, fr_detect misses faces that fill the frame (tight crops) and invents small ones in hair and
 * collars: on the 40 sample crops no border gives 35 single faces, borders of 0.1 and 0.2 give 40,
 * 0.3 and 0.4 start inventing faces again, and every extra border shrinks the faces of group photos.
 */
export const DETECTOR_BORDER = 0.2;

/** Where the image goes inside the 320x240 detector input: size and top-left of the stretched image. */
export interface DetectorLayout {
  innerWidth: number;
  innerHeight: number;
  left: number;
  top: number;
}

export const DETECTOR_LAYOUT: DetectorLayout = (() => {
  const innerWidth = Math.round(DETECTOR_WIDTH / (1 + 2 * DETECTOR_BORDER));
  const innerHeight = Math.round(DETECTOR_HEIGHT / (1 + 2 * DETECTOR_BORDER));
  return {
    innerWidth,
    innerHeight,
    left: Math.floor((DETECTOR_WIDTH - innerWidth) / 2),
    top: Math.floor((DETECTOR_HEIGHT - innerHeight) / 2),
  };
})();

export function detectorFrame(width: number, height: number, layout = DETECTOR_LAYOUT): DetectorFrame {
  const kx = width / layout.innerWidth;
  const ky = height / layout.innerHeight;
  return { scaleX: DETECTOR_WIDTH * kx, offsetX: layout.left * kx, scaleY: DETECTOR_HEIGHT * ky, offsetY: layout.top * ky };
}

function iou(p: FaceBox, q: FaceBox): number {
  const ix = Math.max(0, Math.min(p.x2, q.x2) - Math.max(p.x1, q.x1));
  const iy = Math.max(0, Math.min(p.y2, q.y2) - Math.max(p.y1, q.y1));
  const inter = ix * iy;
  const union = (p.x2 - p.x1) * (p.y2 - p.y1) + (q.x2 - q.x1) * (q.y2 - q.y1) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Faces from one image's slice of fr_detect's outputs (scores [N,4420,2], boxes [N,4420,4] normalised
 * x1,y1,x2,y2), mapped back to working-image pixels and de-duplicated by greedy NMS.
 */
export function facesFromDetector(
  scores: Float32Array,
  boxes: Float32Array,
  index: number,
  frame: DetectorFrame,
  threshold = DEFAULT_DETECTION_THRESHOLD,
): FaceBox[] {
  const candidates: FaceBox[] = [];
  const s0 = index * DETECTOR_ANCHORS * 2;
  const b0 = index * DETECTOR_ANCHORS * 4;
  for (let i = 0; i < DETECTOR_ANCHORS; i++) {
    const score = scores[s0 + 2 * i + 1];
    if (score < threshold) continue;
    const b = b0 + 4 * i;
    const box = {
      x1: boxes[b] * frame.scaleX - frame.offsetX,
      y1: boxes[b + 1] * frame.scaleY - frame.offsetY,
      x2: boxes[b + 2] * frame.scaleX - frame.offsetX,
      y2: boxes[b + 3] * frame.scaleY - frame.offsetY,
      score,
    };
    if (box.x2 > box.x1 && box.y2 > box.y1) candidates.push(box);
  }
  candidates.sort((p, q) => q.score - p.score);
  const kept: FaceBox[] = [];
  for (const c of candidates) {
    if (kept.every((k) => iou(k, c) <= NMS_IOU)) kept.push(c);
  }
  return kept;
}

/**
 * fr_landmark sees a square greyscale crop centred on the face box with side = box height; this is
 * the map from crop pixels to working-image pixels.
 */
export function landmarkCropTransform(box: FaceBox): Similarity {
  const side = box.y2 - box.y1;
  const scale = side / LANDMARK_SIZE;
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  return { a: scale, b: 0, tx: cx - side / 2, ty: cy - side / 2 };
}

/** Writes fr_landmark's input for one face (grey = BT.601 luma, value / 256) at `offset` in `out`. */
export function fillLandmarkInput(image: RgbImage, box: FaceBox, out: Float32Array, offset: number): void {
  const { a: scale, tx, ty } = landmarkCropTransform(box);
  const side = LANDMARK_SIZE * scale;
  const plane = LANDMARK_SIZE * LANDMARK_SIZE;
  const rgb = new Float32Array(plane * 3);
  const target = { data: rgb, offset: 0, rowStride: LANDMARK_SIZE, planeStride: plane, mul: 1, add: 0 };
  cropResize(image, { x: tx, y: ty, width: side, height: side }, LANDMARK_SIZE, LANDMARK_SIZE, target);
  for (let i = 0; i < plane; i++) {
    out[offset + i] = (0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i]) / 256;
  }
}

/** iBUG-68 indices averaged into the 5 ArcFace points (left eye, right eye, nose, mouth corners). */
const ARCFACE_POINTS: readonly (readonly number[])[] = [[37, 38, 40, 41], [43, 44, 46, 47], [30], [48, 60], [54, 64]];

/** iBUG-68 indices of dlib's 5 chip points (eye corners, nose base), in DLIB_TEMPLATE_UNIT's order. */
const DLIB_POINTS: readonly (readonly number[])[] = [[36], [39], [42], [45], [33]];

export type PointSet = 'arcface' | 'dlib';

/** The 5 alignment points in working-image pixels from one face's 136 landmark outputs. */
export function landmarkPoints(output: Float32Array, index: number, box: FaceBox, set: PointSet): Point[] {
  const crop = landmarkCropTransform(box);
  const side = LANDMARK_SIZE * crop.a;
  const base = index * 136;
  return (set === 'arcface' ? ARCFACE_POINTS : DLIB_POINTS).map((ids) => {
    let x = 0,
      y = 0;
    for (const id of ids) {
      x += output[base + 2 * id];
      y += output[base + 2 * id + 1];
    }
    return [crop.tx + (x / ids.length) * side, crop.ty + (y / ids.length) * side] as Point;
  });
}

/**
 * Writes fr_detect's input for one image at slot `index`: the image stretched into the layout's inner
 * area, a black border around it, RGB NCHW, (x - 127) / 128.
 */
export function fillDetectorInput(image: RgbImage, out: Float32Array, index: number, layout = DETECTOR_LAYOUT): void {
  const { innerWidth, innerHeight, left, top } = layout;
  const plane = DETECTOR_WIDTH * DETECTOR_HEIGHT;
  const base = index * plane * 3;
  const mul = 1 / 128,
    add = -127 / 128;
  out.fill(add, base, base + plane * 3);
  const target = { data: out, offset: base + top * DETECTOR_WIDTH + left, rowStride: DETECTOR_WIDTH, planeStride: plane, mul, add };
  cropResize(image, { x: 0, y: 0, width: image.width, height: image.height }, innerWidth, innerHeight, target);
}
