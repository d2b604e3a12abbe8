import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PresetName, PRESETS, createEmbedder } from '@/lib/embedding';
import { fillModelInput } from '@/lib/embedding/preprocess';
import { type ProbeModelSpec, probeInput, writeProbeModel } from '@/tests/support/onnx-builders';

/** Each preset's input written out literally (from the models' documentation), not from presets.ts. */
const EXPECTED: Record<PresetName, { spec: ProbeModelSpec; fed: (r: number, g: number, b: number) => [number, number, number] }> = {
  default: {
    spec: { inputName: 'input', outputName: 'output', dims: [3, 112, 112], batch: 'N' },
    fed: (r, g, b) => [(r - 127) / 128, (g - 127) / 128, (b - 127) / 128],
  },
  'insightface-arcface': {
    // w600k_r50.onnx's own tensor names.
    spec: { inputName: 'input.1', outputName: '683', dims: [3, 112, 112], batch: 'N' },
    fed: (r, g, b) => [(r - 127.5) / 127.5, (g - 127.5) / 127.5, (b - 127.5) / 127.5],
  },
  'face01-japanese-v1': {
    // Exported with a fixed batch of one.
    spec: { inputName: 'input', outputName: 'output', dims: [3, 224, 224], batch: 1 },
    fed: (r, g, b) => [(b / 255 - 0.485) / 0.229, (g / 255 - 0.456) / 0.224, (r / 255 - 0.406) / 0.225],
  },
};

/** A size x size image in which every pixel and channel differs, so a transposition or swap shows. */
function pattern(size: number, seed: number): Buffer {
  const raw = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      raw[o] = (x * 7 + y + seed) % 256;
      raw[o + 1] = (y * 5 + x * 3 + seed * 2) % 256;
      raw[o + 2] = (x * y + seed * 3) % 256;
    }
  }
  return raw;
}

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-presets-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('model presets', () => {
  for (const name of Object.keys(EXPECTED) as PresetName[]) {
    it(`${name}: feeds the model size, layout, colour order and normalisation it expects`, async () => {
      const { spec, fed } = EXPECTED[name];
      const size = spec.dims[1];
      const model = writeProbeModel(dir, `${name}.onnx`, spec);
      const embedder = await createEmbedder({ model, preset: name, mode: 'aligned' });
      try {
        expect([embedder.inputName, embedder.outputName]).toEqual([spec.inputName, spec.outputName]);
        const raws = [pattern(size, 0), pattern(size, 50), pattern(size, 99)];
        const inputs = await Promise.all(
          raws.map(async (raw, i) => ({
            key: `img${i}`,
            bytes: await sharp(raw, { raw: { width: size, height: size, channels: 3 } })
              .png()
              .toBuffer(),
          })),
        );
        const results = await embedder.embedAll(inputs);
        expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok']);
        results.forEach((result, i) => {
          const tensor = probeInput(result.embedding!);
          expect(tensor.length).toBe(3 * size * size);
          const raw = raws[i];
          let worst = 0;
          for (let p = 0; p < size * size; p++) {
            const want = fed(raw[p * 3], raw[p * 3 + 1], raw[p * 3 + 2]);
            for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(tensor[c * size * size + p] - want[c]));
          }
          expect(worst).toBeLessThan(1e-4);
        });
      } finally {
        await embedder.close();
      }
    });
  }

  it('writes NHWC tensors pixel by pixel when a preset asks for that layout', () => {
    const preset = { ...PRESETS.default, inputSize: 2, layout: 'NHWC' as const };
    const rgb = new Uint8Array([255, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const out = new Float32Array(2 * 12);
    fillModelInput(preset, rgb, out, 1);
    expect(Array.from(out.subarray(12, 15))).toEqual([1, 0, -127 / 128]);
    expect(out[12 + 3]).toBeCloseTo((1 - 127) / 128, 6);
    expect(Array.from(out.subarray(0, 12)).every((v) => v === 0)).toBe(true);
  });

  it('refuses a model whose input does not match the preset, naming both', async () => {
    const model = writeProbeModel(dir, 'wrong-size.onnx', EXPECTED['face01-japanese-v1'].spec);
    await expect(createEmbedder({ model, preset: 'default', mode: 'aligned' })).rejects.toThrow(
      /takes input \[1, 3, 224, 224\].*preset "default" feeds \[N, 3, 112, 112\]/,
    );
  });

  it('rejects an unknown preset name', async () => {
    await expect(createEmbedder({ preset: 'vgg' as PresetName, mode: 'aligned' })).rejects.toThrow(/unknown model preset "vgg"/);
  });
});
