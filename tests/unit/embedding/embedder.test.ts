import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbedInput, type EmbedResult, type Embedder, createEmbedder, isTightCropShape } from '@/lib/embedding';
import { ensureDefaultModels } from './model-cache';

const FIXTURES = path.join(process.cwd(), 'tests', 'fixtures');
const SAMPLE = path.join(FIXTURES, 'faces-bbt');
const GROUP_PHOTOS = ['faces-bbt-group-bbt1.jpg', 'faces-bbt-group-bbt4.jpg'].map((f) => path.join(FIXTURES, f));

function sampleInputs(): EmbedInput[] {
  return fs
    .readdirSync(SAMPLE)
    .sort()
    .flatMap((person) =>
      fs
        .readdirSync(path.join(SAMPLE, person))
        .sort()
        .map((file) => ({ key: `${person}/${file}`, path: path.join(SAMPLE, person, file) })),
    );
}

const person = (key: string) => key.split('/')[0];

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** For each image, the key of the most similar other image. */
function nearestOther(results: EmbedResult[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of results) {
    let best = -Infinity;
    for (const b of results) {
      if (a === b) continue;
      const s = dot(a.embedding!, b.embedding!);
      if (s > best) {
        best = s;
        out.set(a.key, b.key);
      }
    }
  }
  return out;
}

async function flatGrey(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .png()
    .toBuffer();
}

let auto: Embedder;
let detect: Embedder;
let sample: EmbedResult[];

// Generous: the first run may have to fetch the models, and the machine may be busy.
const SETUP_TIMEOUT = 180_000;

beforeAll(async () => {
  ensureDefaultModels();
  [auto, detect] = await Promise.all([createEmbedder(), createEmbedder({ mode: 'detect' })]);
  sample = await auto.embedAll(sampleInputs());
}, SETUP_TIMEOUT);

afterAll(async () => {
  await Promise.all([auto?.close(), detect?.close()]);
});

describe('embedding the sample dataset with the default model', () => {
  it('embeds every sample image with a unit-length 512-d vector from its detected face', () => {
    expect(sample).toHaveLength(40);
    for (const r of sample) {
      expect([r.key, r.status, r.source, r.faceCount, r.width, r.height]).toEqual([r.key, 'ok', 'detected', 1, 150, 150]);
      expect(r.embedding).toHaveLength(512);
      expect(Math.sqrt(dot(r.embedding!, r.embedding!))).toBeCloseTo(1, 5);
    }
  });

  it("finds the same person as every image's nearest other image", () => {
    const wrong = [...nearestOther(sample)].filter(([a, b]) => person(a) !== person(b));
    expect(wrong).toEqual([]);
  });

  it('gives the same results when the bytes are passed instead of the path', async () => {
    const inputs = sampleInputs()
      .slice(0, 3)
      .map(({ key, path: p }) => ({ key, bytes: fs.readFileSync(p!) }));
    const results = await auto.embedAll(inputs);
    results.forEach((r, i) => expect(dot(r.embedding!, sample[i].embedding!)).toBeCloseTo(1, 6));
  });
});

describe('face detection modes', () => {
  it('reports many_faces for a group photo in detect mode', async () => {
    const results = await detect.embedAll(GROUP_PHOTOS.map((p) => ({ key: path.basename(p), path: p })));
    for (const r of results) {
      expect([r.key, r.status]).toEqual([r.key, 'many_faces']);
      expect(r.faceCount).toBeGreaterThanOrEqual(4);
      expect(r.embedding).toBeUndefined();
    }
  });

  it('reports no_face for a picture without a face in detect mode', async () => {
    const [r] = await detect.embedAll([{ key: 'grey', bytes: await flatGrey(150, 150) }]);
    expect(r).toMatchObject({ status: 'no_face', faceCount: 0, width: 150, height: 150 });
    expect(r.embedding).toBeUndefined();
  });

  it('in auto mode embeds a tight crop whole when no face is detected, but not a larger picture', async () => {
    const [crop, photo] = await auto.embedAll([
      { key: 'crop', bytes: await flatGrey(150, 150) },
      { key: 'photo', bytes: await flatGrey(800, 600) },
    ]);
    expect(crop).toMatchObject({ status: 'ok', source: 'whole-image', faceCount: 0 });
    expect(photo).toMatchObject({ status: 'no_face', faceCount: 0 });
  });

  it('takes tight crops to be roughly square and at most 400 px', () => {
    expect(isTightCropShape(150, 150)).toBe(true);
    expect(isTightCropShape(300, 400)).toBe(true);
    expect(isTightCropShape(401, 401)).toBe(false);
    expect(isTightCropShape(300, 150)).toBe(false);
  });

  it('still matches every sample image to its person through the whole-image fallback', async () => {
    // A threshold no score reaches sends every image down the fallback path.
    const fallback = await createEmbedder({ detectionThreshold: 1.01 });
    try {
      const results = await fallback.embedAll(sampleInputs());
      expect(results.every((r) => r.status === 'ok' && r.source === 'whole-image')).toBe(true);
      const wrong = [...nearestOther(results)].filter(([a, b]) => person(a) !== person(b));
      expect(wrong).toEqual([]);
    } finally {
      await fallback.close();
    }
  });

  it('reports the embedded face box in the original image coordinates', async () => {
    const original = sample[0];
    const bigger = await sharp(sampleInputs()[0].path!).resize(600, 600).png().toBuffer();
    const embedder = await createEmbedder({ maxWorkingSide: 300 });
    try {
      const [r] = await embedder.embedAll([{ key: 'big', bytes: bigger }]);
      expect([r.status, r.width, r.height]).toEqual(['ok', 600, 600]);
      r.face!.box.forEach((v, i) => expect(Math.abs(v - original.face!.box[i] * 4)).toBeLessThan(12));
      expect(dot(r.embedding!, original.embedding!)).toBeGreaterThan(0.9);
    } finally {
      await embedder.close();
    }
  });

  it('in aligned mode embeds each image resized, without detecting a face', async () => {
    const aligned = await createEmbedder({ mode: 'aligned' });
    try {
      const results = await aligned.embedAll(sampleInputs());
      expect(results.every((r) => r.status === 'ok' && r.source === 'aligned-input' && r.faceCount === undefined)).toBe(true);
      // The sample crops are not aligned, so this mode is worse on them, yet still mostly right.
      const right = [...nearestOther(results)].filter(([a, b]) => person(a) === person(b)).length;
      expect(right).toBeGreaterThanOrEqual(30);
    } finally {
      await aligned.close();
    }
  });
});

describe('streaming', () => {
  it('records unreadable inputs with their reasons and goes on with the rest, in input order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-bad-'));
    try {
      const good = sampleInputs()[0];
      const png = fs.readFileSync(good.path!);
      fs.writeFileSync(path.join(dir, 'text.png'), 'this is not a picture');
      const inputs: EmbedInput[] = [
        { key: 'empty', bytes: new Uint8Array(0) },
        good,
        { key: 'text', path: path.join(dir, 'text.png') },
        { key: 'truncated', bytes: png.subarray(0, 1000) },
        { key: 'missing', path: path.join(dir, 'nope.png') },
        { key: 'directory', path: dir },
        { ...good, key: 'good-again' },
      ];
      const results = await auto.embedAll(inputs);
      expect(results.map((r) => [r.key, r.status, r.failure])).toEqual([
        ['empty', 'unreadable', 'empty-file'],
        [good.key, 'ok', undefined],
        ['text', 'unreadable', 'not-an-image'],
        ['truncated', 'unreadable', 'corrupt'],
        ['missing', 'unreadable', 'read-error'],
        ['directory', 'unreadable', 'read-error'],
        ['good-again', 'ok', undefined],
      ]);
      expect(results.find((r) => r.key === 'missing')!.reason).toMatch(/ENOENT/);
      expect(results.filter((r) => r.status === 'unreadable').every((r) => (r.reason ?? '').length > 5)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pulls inputs lazily: at most two batches ahead of what it has yielded', async () => {
    const embedder = await createEmbedder({ batchSize: 4 });
    let pulled = 0;
    async function* endless(): AsyncGenerator<EmbedInput> {
      const inputs = sampleInputs();
      for (let i = 0; ; i++) {
        pulled++;
        yield { ...inputs[i % inputs.length], key: `n${i}` };
      }
    }
    try {
      const seen: string[] = [];
      for await (const batch of embedder.embedStream(endless())) {
        seen.push(...batch.map((r) => r.key));
        expect(batch.length).toBeLessThanOrEqual(4);
        expect(pulled).toBeLessThanOrEqual(seen.length + 4);
        if (seen.length >= 12) break;
      }
      expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `n${i}`));
    } finally {
      await embedder.close();
    }
  });

  it('measures the pure inference time of each model on the same inputs', async () => {
    const report = await detect.measureRawInference(sampleInputs().slice(0, 10));
    expect(report.images).toBe(10);
    expect([report.detector.images, report.landmarks.images, report.recogniser.images]).toEqual([10, 10, 10]);
    expect(report.seconds).toBeCloseTo(report.detector.seconds + report.landmarks.seconds + report.recogniser.seconds, 9);
    expect(report.seconds).toBeGreaterThan(0);
  });
});
