/**
 * How each supported recogniser wants its input. Images are always decoded to 8-bit RGB the same way
 * (decode.ts); a preset only says how that RGB face becomes the model's float tensor.
 */

export type ColourOrder = 'RGB' | 'BGR';
export type Layout = 'NCHW' | 'NHWC';

/**
 * Where the face is placed in the input square.
 * - `arcface`: least-squares similarity transform of 5 points (eyes, nose, mouth corners) onto the
 *   ArcFace 112x112 reference, scaled to the preset's input size.
 * - `dlib-chip`: dlib's get_face_chip_details with its 5-point template (eye corners, nose base) and a
 *   border of `padding` x the template size, as FACE01 does.
 * Images that are already aligned crops skip this (mode `aligned`: resize only).
 */
export type Alignment = { kind: 'arcface' } | { kind: 'dlib-chip'; padding: number };

/** value = (pixel / 255 - mean[c]) / std[c], per channel in the order the model is fed. */
export interface MeanStd {
  kind: 'mean-std';
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** value = pixel * scale + offset, the same for every channel. */
export interface ScaleOffset {
  kind: 'scale-offset';
  scale: number;
  offset: number;
}

export interface ModelPreset {
  name: PresetName;
  description: string;
  inputSize: number;
  colourOrder: ColourOrder;
  normalisation: MeanStd | ScaleOffset;
  layout: Layout;
  alignment: Alignment;
  /** Cosine similarity above which two faces of different identities deserve a curator's look. */
  defaultThreshold: number;
}

export const PRESET_NAMES = ['default', 'insightface-arcface', 'face01-japanese-v1'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export const PRESETS: Readonly<Record<PresetName, ModelPreset>> = {
  default: {
    name: 'default',
    description: 'faceplugin fr_feature (MobileFaceNet-style, 512-d), fetched by scripts/fetch-model.mjs',
    inputSize: 112,
    colourOrder: 'RGB',
    normalisation: { kind: 'scale-offset', scale: 1 / 128, offset: -127 / 128 },
    layout: 'NCHW',
    alignment: { kind: 'arcface' },
    // Measured on labelled photos: same-person min ~0.37, different-person max ~0.42 (13 people, 61 full photos).
    defaultThreshold: 0.4,
  },
  'insightface-arcface': {
    name: 'insightface-arcface',
    description: 'InsightFace ArcFace w600k_r50 / w600k_mbf (buffalo_l / buffalo_s)',
    inputSize: 112,
    colourOrder: 'RGB',
    normalisation: { kind: 'scale-offset', scale: 1 / 127.5, offset: -1 },
    layout: 'NCHW',
    alignment: { kind: 'arcface' },
    // InsightFace's own verification threshold region for w600k models.
    defaultThreshold: 0.4,
  },
  'face01-japanese-v1': {
    name: 'face01-japanese-v1',
    description: 'FACE01 JAPANESE_FACE_V1.onnx (EfficientNetV2 + ArcFace head, 512-d)',
    inputSize: 224,
    // FACE01 hands its dlib (RGB) chip to code written for OpenCV images, so the network sees B,G,R.
    colourOrder: 'BGR',
    normalisation: { kind: 'mean-std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    layout: 'NCHW',
    alignment: { kind: 'dlib-chip', padding: 0.1 },
    defaultThreshold: 0.4,
  },
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}

export function getPreset(name: string): ModelPreset {
  if (!isPresetName(name)) {
    throw new Error(`unknown model preset "${name}"; known presets: ${PRESET_NAMES.join(', ')}`);
  }
  return PRESETS[name];
}

/**
 * Per-channel affine map from an 8-bit value of model channel c to the fed float: v * mul[c] + add[c].
 * Channels are in the order the model is fed (after any RGB->BGR swap).
 */
export function channelAffine(preset: ModelPreset): { mul: [number, number, number]; add: [number, number, number] } {
  const n = preset.normalisation;
  if (n.kind === 'scale-offset') {
    return { mul: [n.scale, n.scale, n.scale], add: [n.offset, n.offset, n.offset] };
  }
  const mul = [0, 1, 2].map((c) => 1 / (255 * n.std[c])) as [number, number, number];
  const add = [0, 1, 2].map((c) => -n.mean[c] / n.std[c]) as [number, number, number];
  return { mul, add };
}
