import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type DecodeFailureCode, type RgbImage, DEFAULT_MAX_INPUT_PIXELS, decodeToRgb } from './decode';
import {
  type FaceBox,
  DEFAULT_DETECTION_THRESHOLD,
  DETECTOR_HEIGHT,
  DETECTOR_WIDTH,
  LANDMARK_SIZE,
  detectorFrame,
  facesFromDetector,
  fillDetectorInput,
  fillLandmarkInput,
  landmarkPoints,
} from './detect';
import { defaultModelPaths } from './models';
import { alignFace, fillModelInput, l2Normalise, resizeToInput } from './preprocess';
import { type ModelPreset, type PresetName, getPreset } from './presets';
import { type SessionConfig, createSession, ort, resolveSessionConfig } from './sessions';

/**
 * - `aligned`: every image is already an aligned face crop; it is only resized to the model's input.
 * - `detect`: find the face; no face -> `no_face`, several -> `many_faces`, one -> landmarks + alignment.
 * - `auto` (default): as `detect`, but an image in which no face is found and that looks like a tight
 *   face crop (see isTightCropShape) is embedded whole: its landmarks are read as if the whole image were
 *   the face box, and the face aligned from them.
 */
export type EmbedMode = 'auto' | 'detect' | 'aligned';

export const EMBED_MODES: readonly EmbedMode[] = ['auto', 'detect', 'aligned'];

export interface EmbedInput {
  /** Caller's identifier, returned unchanged with the result (e.g. the image's relative path). */
  key: string;
  /** The file's bytes; when absent, `path` is read. */
  bytes?: Uint8Array;
  path?: string;
}

export type EmbedStatus = 'ok' | 'no_face' | 'many_faces' | 'unreadable';

export interface EmbedResult {
  key: string;
  status: EmbedStatus;
  /** Why the image is not `ok`, in words for a curator. */
  reason?: string;
  /** For `unreadable`: what kind of failure. */
  failure?: DecodeFailureCode;
  /** Size of the upright image (0 when not even the header could be read). */
  width: number;
  height: number;
  /** Faces found (detect and auto modes). */
  faceCount?: number;
  /** The face that was embedded, in the upright image's pixels (detect and auto modes). */
  face?: { box: [number, number, number, number]; score: number };
  /** How the embedded face was found: by the detector, by the tight-crop fallback, or given (aligned mode). */
  source?: 'detected' | 'whole-image' | 'aligned-input';
  /** L2-normalised, present when status is `ok`. */
  embedding?: Float32Array;
}

export interface EmbedderOptions {
  /** 'default' (prepared by scripts/fetch-model.mjs) or the path of the user's own ONNX recogniser. */
  model?: 'default' | (string & {});
  /** How the recogniser wants its input. Defaults to 'default', which fits the default model. */
  preset?: PresetName;
  mode?: EmbedMode;
  /** Images per recogniser call. */
  batchSize?: number;
  /** Images per detector call (it peaks at a smaller batch than the recogniser here). */
  detectorBatchSize?: number;
  /** Detector score above which a box is a face. */
  detectionThreshold?: number;
  /** Faces smaller than this fraction of the largest face's height are background faces and ignored. */
  minFaceRatio?: number;
  /** Images over this many pixels are refused (status unreadable, failure too-large). */
  maxInputPixels?: number;
  /** Larger images are downscaled to this side before detection; bounds memory per image. */
  maxWorkingSide?: number;
  /** Decoded pixels one batch may hold; a batch closes early when it is reached. */
  maxBatchBytes?: number;
  /** Images decoded concurrently (sharp runs them on libuv's threads). */
  decodeConcurrency?: number;
  session?: SessionConfig;
  /** Where the default models are; defaults to lib/paths modelCacheDir(). */
  modelDir?: string;
}

/** Time spent inside ORT's run() per model, with the images each model saw. */
export interface InferenceTiming {
  detector: { seconds: number; images: number };
  landmarks: { seconds: number; images: number };
  recogniser: { seconds: number; images: number };
}

export interface RawInferenceReport extends InferenceTiming {
  images: number;
  /** Sum of the three models' run() time. */
  seconds: number;
}

interface Prepared {
  input: EmbedInput;
  /** Set when the image is finished before inference (unreadable). */
  done?: EmbedResult;
  width: number;
  height: number;
  /** The upright image, downscaled to at most maxWorkingSide. */
  image?: RgbImage;
  bytes: number;
}

/** State one stream of batches carries: model-input buffers to reuse, and the clock in raw mode. */
interface StreamContext {
  clock?: InferenceTiming;
  buffers: Map<string, Float32Array>;
}

/**
 * A zeroed model-input buffer reused across the batches of one stream: a fresh 7 MB detector batch per
 * 8 images would cost page faults and zeroing on every call.
 */
function inputBuffer(ctx: StreamContext, name: string, length: number): Float32Array {
  const key = `${name}:${length}`;
  let buffer = ctx.buffers.get(key);
  if (!buffer) {
    buffer = new Float32Array(length);
    ctx.buffers.set(key, buffer);
  }
  return buffer;
}

/**
 * A tight face crop, for the auto-mode fallback: roughly square (aspect within 3:4..4:3, as face crops
 * are cut) and at most 400 px on its longer side. Larger or elongated images in which no face is found
 * are photos of something else (or faces too small to use), so they stay `no_face`.
 */
export function isTightCropShape(width: number, height: number): boolean {
  const aspect = width / height;
  return aspect >= 0.75 && aspect <= 4 / 3 && Math.max(width, height) <= 400;
}

const DEFAULTS = {
  batchSize: 32,
  detectorBatchSize: 8,
  minFaceRatio: 0.4,
  maxWorkingSide: 1280,
  maxBatchBytes: 96 * 1024 * 1024,
  decodeConcurrency: 16,
};

function describeModel(model: string): string {
  return model === 'default' ? 'default (faceplugin fr_feature)' : path.resolve(model);
}

export class Embedder {
  readonly preset: ModelPreset;
  readonly mode: EmbedMode;
  /** 'default' or the absolute path of the recogniser. */
  readonly model: string;
  readonly inputName: string;
  readonly outputName: string;
  /** Embedding length, known after the first inference. */
  dimension: number | undefined;
  private readonly fixedBatchOfOne: boolean;
  private readonly opts: Required<Omit<EmbedderOptions, 'model' | 'preset' | 'mode' | 'session' | 'modelDir'>>;

  constructor(
    private readonly recogniser: ort.InferenceSession,
    private readonly detector: ort.InferenceSession | undefined,
    private readonly landmarker: ort.InferenceSession | undefined,
    options: EmbedderOptions,
  ) {
    this.preset = getPreset(options.preset ?? 'default');
    this.mode = options.mode ?? 'auto';
    this.model = options.model === undefined || options.model === 'default' ? 'default' : path.resolve(options.model);
    this.opts = {
      batchSize: options.batchSize ?? DEFAULTS.batchSize,
      detectorBatchSize: options.detectorBatchSize ?? DEFAULTS.detectorBatchSize,
      detectionThreshold: options.detectionThreshold ?? DEFAULT_DETECTION_THRESHOLD,
      minFaceRatio: options.minFaceRatio ?? DEFAULTS.minFaceRatio,
      maxInputPixels: options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS,
      maxWorkingSide: options.maxWorkingSide ?? DEFAULTS.maxWorkingSide,
      maxBatchBytes: options.maxBatchBytes ?? DEFAULTS.maxBatchBytes,
      decodeConcurrency: options.decodeConcurrency ?? DEFAULTS.decodeConcurrency,
    };
    this.inputName = recogniser.inputNames[0];
    this.outputName = recogniser.outputNames[0];
    const meta = recogniser.inputMetadata[0];
    const shape = meta.isTensor ? meta.shape : [];
    this.fixedBatchOfOne = shape[0] === 1;
    checkInputShape(shape, this.preset, this.model);
  }

  /**
   * Embeds a stream of images, yielding results in input order, one array per batch. Decoding of the
   * next batch runs on sharp's threads while ORT works on the current one; at most two batches of
   * decoded pixels are held. Bad images come back as results, never as exceptions.
   */
  async *embedStream(inputs: AsyncIterable<EmbedInput> | Iterable<EmbedInput>): AsyncGenerator<EmbedResult[]> {
    const source = toAsyncIterator(inputs);
    const ctx: StreamContext = { buffers: new Map() };
    let next = this.prepareBatch(source);
    try {
      for (;;) {
        const batch = await next;
        if (batch.length === 0) return;
        next = this.prepareBatch(source);
        yield await this.inferBatch(batch, ctx);
      }
    } finally {
      // A consumer that stops early must not leave a decode running that rejects unobserved.
      await next.catch(() => undefined);
      await source.return?.();
    }
  }

  /** Convenience for small inputs: all results in input order. */
  async embedAll(inputs: Iterable<EmbedInput> | AsyncIterable<EmbedInput>): Promise<EmbedResult[]> {
    const out: EmbedResult[] = [];
    for await (const batch of this.embedStream(inputs)) out.push(...batch);
    return out;
  }

  /**
   * The pure ONNX cost of embedding `inputs`: the same batches and the same model inputs as
   * embedStream, but every batch is decoded and preprocessed before anything runs, nothing runs
   * alongside inference, and only the time inside ORT's run() is counted.
   */
  async measureRawInference(inputs: AsyncIterable<EmbedInput> | Iterable<EmbedInput>): Promise<RawInferenceReport> {
    const source = toAsyncIterator(inputs);
    const clock: InferenceTiming = {
      detector: { seconds: 0, images: 0 },
      landmarks: { seconds: 0, images: 0 },
      recogniser: { seconds: 0, images: 0 },
    };
    const ctx: StreamContext = { clock, buffers: new Map() };
    let images = 0;
    for (;;) {
      const batch = await this.prepareBatch(source);
      if (batch.length === 0) break;
      images += batch.length;
      await this.inferBatch(batch, ctx);
    }
    const seconds = clock.detector.seconds + clock.landmarks.seconds + clock.recogniser.seconds;
    return { ...clock, images, seconds };
  }

  async close(): Promise<void> {
    await Promise.all([this.recogniser.release(), this.detector?.release(), this.landmarker?.release()]);
  }

  private async prepareBatch(source: AsyncIterator<EmbedInput>): Promise<Prepared[]> {
    const batch: Prepared[] = [];
    let bytes = 0;
    let exhausted = false;
    const inFlight = new Set<Promise<void>>();
    const startOne = async (): Promise<boolean> => {
      const step = await source.next();
      if (step.done) return false;
      const slot = batch.length;
      batch.push({ input: step.value, width: 0, height: 0, bytes: 0 });
      const task = this.prepare(step.value).then((p) => {
        batch[slot] = p;
        bytes += p.bytes;
      });
      inFlight.add(task);
      void task.finally(() => inFlight.delete(task));
      return true;
    };
    while (!exhausted && batch.length < this.opts.batchSize && bytes < this.opts.maxBatchBytes) {
      if (inFlight.size >= this.opts.decodeConcurrency) {
        await Promise.race(inFlight);
        continue;
      }
      exhausted = !(await startOne());
    }
    await Promise.all(inFlight);
    return batch;
  }

  /** Never rejects: whatever goes wrong with one image becomes that image's result. */
  private async prepare(input: EmbedInput): Promise<Prepared> {
    const unreadable = (failure: DecodeFailureCode, reason: string, width = 0, height = 0): Prepared => ({
      input,
      width,
      height,
      bytes: 0,
      done: { key: input.key, status: 'unreadable', failure, reason, width, height },
    });
    try {
      return await this.decode(input, unreadable);
    } catch (err) {
      return unreadable('corrupt', `the image could not be decoded: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async decode(
    input: EmbedInput,
    unreadable: (failure: DecodeFailureCode, reason: string, width?: number, height?: number) => Prepared,
  ): Promise<Prepared> {
    let bytes = input.bytes;
    if (!bytes) {
      if (!input.path) return unreadable('read-error', 'neither bytes nor a path were given');
      try {
        bytes = await readFile(input.path);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        return unreadable('read-error', `cannot read the file (${code})`);
      }
    }
    const decoded = await decodeToRgb(bytes, {
      maxInputPixels: this.opts.maxInputPixels,
      maxSide: this.opts.maxWorkingSide,
    });
    if (!decoded.ok) return unreadable(decoded.code, decoded.reason, decoded.width, decoded.height);
    const { image, width, height } = decoded;
    return { input, image, width, height, bytes: image.data.length };
  }

  private async inferBatch(batch: Prepared[], ctx: StreamContext): Promise<EmbedResult[]> {
    const results: EmbedResult[] = batch.map((p) => p.done ?? { key: p.input.key, status: 'ok', width: p.width, height: p.height });
    const live = batch.map((_, i) => i).filter((i) => !batch[i].done);
    if (live.length === 0) return results;

    if (this.mode === 'aligned') {
      const crops = live.map((i) => resizeToInput(batch[i].image!, this.preset));
      const embeddings = await this.recognise(crops, ctx);
      live.forEach((i, k) => Object.assign(results[i], { source: 'aligned-input', embedding: embeddings[k] }));
      return results;
    }

    const faces = await this.detect(
      live.map((i) => batch[i]),
      ctx,
    );
    const toAlign: { index: number; box: FaceBox }[] = [];
    live.forEach((i, k) => {
      const found = faces[k];
      const result = results[i];
      const { image, width } = batch[i];
      const toOriginal = width / image!.width;
      result.faceCount = found.length;
      if (found.length === 1) {
        const [f] = found;
        result.face = {
          box: [f.x1 * toOriginal, f.y1 * toOriginal, f.x2 * toOriginal, f.y2 * toOriginal],
          score: f.score,
        };
        result.source = 'detected';
        toAlign.push({ index: i, box: f });
      } else if (found.length > 1) {
        Object.assign(results[i], { status: 'many_faces', reason: `${found.length} faces found` });
      } else if (this.mode === 'auto' && isTightCropShape(batch[i].width, batch[i].height)) {
        result.source = 'whole-image';
        toAlign.push({ index: i, box: { x1: 0, y1: 0, x2: image!.width, y2: image!.height, score: 0 } });
      } else {
        Object.assign(results[i], { status: 'no_face', reason: 'no face found' });
      }
    });
    if (toAlign.length === 0) return results;

    const points = await this.landmarks(
      toAlign.map(({ index, box }) => ({ image: batch[index].image!, box })),
      ctx,
    );
    const crops = toAlign.map(({ index }, k) => alignFace(batch[index].image!, points[k], this.preset));
    const embeddings = await this.recognise(crops, ctx);
    toAlign.forEach(({ index }, k) => {
      results[index].embedding = embeddings[k];
    });
    return results;
  }

  private async run(
    session: ort.InferenceSession,
    feeds: Record<string, ort.Tensor>,
    ctx: StreamContext,
    stage: keyof InferenceTiming,
    images: number,
  ): Promise<ort.InferenceSession.OnnxValueMapType> {
    const { clock } = ctx;
    if (!clock) return session.run(feeds);
    const t0 = performance.now();
    const out = await session.run(feeds);
    clock[stage].seconds += (performance.now() - t0) / 1000;
    clock[stage].images += images;
    return out;
  }

  /** Faces per image, largest-first, background faces (minFaceRatio) dropped. */
  private async detect(items: Prepared[], ctx: StreamContext): Promise<FaceBox[][]> {
    const detector = this.detector!;
    const per = 3 * DETECTOR_WIDTH * DETECTOR_HEIGHT;
    const out: FaceBox[][] = [];
    for (let start = 0; start < items.length; start += this.opts.detectorBatchSize) {
      const chunk = items.slice(start, start + this.opts.detectorBatchSize);
      const data = inputBuffer(ctx, 'detector', per * chunk.length);
      chunk.forEach((p, k) => fillDetectorInput(p.image!, data, k));
      const input = new ort.Tensor('float32', data, [chunk.length, 3, DETECTOR_HEIGHT, DETECTOR_WIDTH]);
      const res = await this.run(detector, { [detector.inputNames[0]]: input }, ctx, 'detector', chunk.length);
      const scores = res.scores.data as Float32Array;
      const boxes = res.boxes.data as Float32Array;
      chunk.forEach((p, k) => {
        const found = facesFromDetector(scores, boxes, k, detectorFrame(p.image!.width, p.image!.height), this.opts.detectionThreshold);
        const height = (f: FaceBox) => f.y2 - f.y1;
        found.sort((a, b) => height(b) - height(a));
        const largest = found.length ? height(found[0]) : 0;
        out.push(found.filter((f) => height(f) >= this.opts.minFaceRatio * largest));
      });
    }
    return out;
  }

  private async landmarks(items: { image: RgbImage; box: FaceBox }[], ctx: StreamContext) {
    const landmarker = this.landmarker!;
    const per = LANDMARK_SIZE * LANDMARK_SIZE;
    const data = inputBuffer(ctx, 'landmarks', per * items.length);
    items.forEach(({ image, box }, k) => fillLandmarkInput(image, box, data, k * per));
    const input = new ort.Tensor('float32', data, [items.length, 1, LANDMARK_SIZE, LANDMARK_SIZE]);
    const res = await this.run(landmarker, { [landmarker.inputNames[0]]: input }, ctx, 'landmarks', items.length);
    const output = res[landmarker.outputNames[0]].data as Float32Array;
    const set = this.preset.alignment.kind === 'dlib-chip' ? 'dlib' : 'arcface';
    return items.map(({ box }, k) => landmarkPoints(output, k, box, set));
  }

  private async recognise(crops: Uint8Array[], ctx: StreamContext): Promise<Float32Array[]> {
    const size = this.preset.inputSize;
    const per = 3 * size * size;
    const shapeOf = (n: number) => (this.preset.layout === 'NCHW' ? [n, 3, size, size] : [n, size, size, 3]);
    const step = this.fixedBatchOfOne ? 1 : crops.length;
    const out: Float32Array[] = [];
    for (let start = 0; start < crops.length; start += step) {
      const chunk = crops.slice(start, start + step);
      const data = inputBuffer(ctx, 'recogniser', per * chunk.length);
      chunk.forEach((rgb, k) => fillModelInput(this.preset, rgb, data, k));
      const input = new ort.Tensor('float32', data, shapeOf(chunk.length));
      const res = await this.run(this.recogniser, { [this.inputName]: input }, ctx, 'recogniser', chunk.length);
      const flat = res[this.outputName].data as Float32Array;
      const dim = flat.length / chunk.length;
      this.dimension = dim;
      for (let k = 0; k < chunk.length; k++) out.push(l2Normalise(flat.slice(k * dim, (k + 1) * dim)));
    }
    return out;
  }
}

function checkInputShape(shape: readonly (number | string)[], preset: ModelPreset, model: string): void {
  const size = preset.inputSize;
  const expected = preset.layout === 'NCHW' ? [3, size, size] : [size, size, 3];
  const fixed = shape.slice(1);
  const mismatch = shape.length !== 4 || expected.some((d, i) => typeof fixed[i] === 'number' && fixed[i] !== d);
  if (mismatch) {
    throw new Error(
      `model ${describeModel(model)} takes input [${shape.join(', ')}], but preset "${preset.name}" feeds ` +
        `[N, ${expected.join(', ')}] (${preset.layout}); choose the preset that matches the model`,
    );
  }
}

function toAsyncIterator<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const it = source[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async (value?: unknown) => it.return?.(value) ?? { done: true, value: undefined },
  };
}

/**
 * Loads the models for `options` (the recogniser, plus the default detector and landmark models unless
 * mode is 'aligned'). Throws ModelMissingError when the default models have not been fetched.
 */
export async function createEmbedder(options: EmbedderOptions = {}): Promise<Embedder> {
  const mode = options.mode ?? 'auto';
  if (!EMBED_MODES.includes(mode)) throw new Error(`unknown embedding mode "${mode}"; use ${EMBED_MODES.join(', ')}`);
  getPreset(options.preset ?? 'default');
  const model = options.model ?? 'default';
  const needsDefaults = model === 'default' || mode !== 'aligned';
  const defaults = needsDefaults ? defaultModelPaths(options.modelDir) : undefined;
  const config = resolveSessionConfig(options.session);
  const [recogniser, detector, landmarker] = await Promise.all([
    createSession(model === 'default' ? defaults!.recogniser : path.resolve(model), config),
    mode === 'aligned' ? undefined : createSession(defaults!.detector, config),
    mode === 'aligned' ? undefined : createSession(defaults!.landmarks, config),
  ]);
  try {
    return new Embedder(recogniser, detector, landmarker, { ...options, mode, model });
  } catch (err) {
    await Promise.all([recogniser.release(), detector?.release(), landmarker?.release()]);
    throw err;
  }
}
