import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDefaultModels } from './model-cache';

const SCRIPT = path.join(process.cwd(), 'scripts', 'fetch-model.mjs');
const { onnx } = onnxProto;

function runScript(env: Record<string, string>) {
  const result = spawnSync(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, out: result.stdout + result.stderr };
}

let tmp: string;
let models: ReturnType<typeof ensureDefaultModels>;
beforeAll(() => {
  models = ensureDefaultModels();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-fetch-'));
}, 180_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('scripts/fetch-model.mjs', () => {
  it('prepares the three models with a manifest into an empty cache; a rerun changes nothing unless a file changed', () => {
    const dir = path.join(tmp, 'fresh');
    const first = runScript({ FACESIFT_MODEL_DIR: dir });
    expect(first.status, first.out).toBe(0);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.files).sort()).toEqual(['fr_detect.onnx', 'fr_feature.onnx', 'fr_landmark.onnx']);
    expect(manifest.files['fr_feature.onnx'].denormalsFlushed).toBe(8938);
    const mtimes = fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).mtimeMs);

    const again = runScript({ FACESIFT_MODEL_DIR: dir });
    expect([again.status, again.out]).toEqual([0, expect.stringMatching(/up to date/)]);
    expect(fs.readdirSync(dir).map((f) => fs.statSync(path.join(dir, f)).mtimeMs)).toEqual(mtimes);

    fs.appendFileSync(path.join(dir, 'fr_detect.onnx'), 'x');
    const rerun = runScript({ FACESIFT_MODEL_DIR: dir });
    expect([rerun.status, rerun.out]).toEqual([0, expect.stringMatching(/ready/)]);
  });

  it('refuses model files whose sha256 differs from the pinned one, and writes nothing', () => {
    const pkg = path.join(tmp, 'fake', 'package', 'model');
    fs.mkdirSync(pkg, { recursive: true });
    for (const f of ['fr_feature.onnx', 'fr_detect.onnx', 'fr_landmark.onnx']) fs.writeFileSync(path.join(pkg, f), `not ${f}`);
    const tarball = path.join(tmp, 'fake.tgz');
    execFileSync('tar', ['-czf', tarball, '-C', path.join(tmp, 'fake'), 'package']);
    const dir = path.join(tmp, 'refused');
    const result = runScript({ FACESIFT_MODEL_DIR: dir, FACESIFT_MODEL_TARBALL: tarball });
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/fr_feature\.onnx .* has sha256 [0-9a-f]{64}, expected 87aacdfe[0-9a-f]{56}; refusing/);
    expect(fs.existsSync(path.join(dir, 'manifest.json'))).toBe(false);
  });

  it('explains a failed download and how to set up without the registry', () => {
    const result = runScript({
      FACESIFT_MODEL_DIR: path.join(tmp, 'offline'),
      npm_config_registry: 'http://127.0.0.1:9/',
      npm_config_cache: path.join(tmp, 'empty-npm-cache'),
      npm_config_fetch_retries: '0',
      npm_config_offline: 'false',
    });
    expect(result.status).toBe(1);
    expect(result.out).toMatch(/could not download faceplugin-face-recognition-js@0\.0\.1 .*npm registry reachable/);
    expect(result.out).toMatch(/FACESIFT_MODEL_TARBALL=/);
  });

  it('leaves a recogniser that takes any batch size and has no denormal weights', async () => {
    const model = onnx.ModelProto.decode(fs.readFileSync(models.recogniser));
    const dims = (v: onnxProto.onnx.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims(model.graph!.input![0])).toEqual(['N', 3, 112, 112]);
    expect(dims(model.graph!.output![0])).toEqual(['N', 512]);
    let denormals = 0;
    for (const t of model.graph!.initializer!) {
      if (t.dataType !== onnx.TensorProto.DataType.FLOAT || !t.rawData?.length) continue;
      const raw = Buffer.from(t.rawData);
      for (let o = 0; o < raw.length; o += 4) {
        const bits = raw.readUInt32LE(o);
        if ((bits & 0x7f800000) === 0 && (bits & 0x007fffff) !== 0) denormals++;
      }
    }
    expect(denormals).toBe(0);

    const session = await ort.InferenceSession.create(models.recogniser);
    try {
      const input = new Float32Array(3 * 3 * 112 * 112).map((_, i) => Math.sin(i));
      const out = await session.run({ input: new ort.Tensor('float32', input, [3, 3, 112, 112]) });
      expect(out.output.dims).toEqual([3, 512]);
    } finally {
      await session.release();
    }
  });
});
