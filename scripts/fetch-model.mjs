#!/usr/bin/env node
// Prepares facesift's default face models in the model cache (run once at set-up; reruns are instant).
//
// The models come from the npm package faceplugin-face-recognition-js@0.0.1, fetched with `npm pack`
// rather than installed: as a dependency it would drag in ~670 packages. The registry is the one
// download source that works on every machine facesift runs on, including offline-ish CI boxes with
// a warm npm cache (`--prefer-offline`). An air-gapped machine can point FACESIFT_MODEL_TARBALL at a
// copy of the tarball instead.
//
// Two rewrites make the models fast, and both are checked against the originals before anything is
// written:
//  - dynamic batch (dim 0 -> symbolic N): the published graphs are fixed at batch 1, and batching the
//    recogniser is faster per image (~117 vs ~95 img/s on 2 cores);
//  - denormal float32 weights -> 0: x86 CPUs take a slow microcode path on every multiply with a
//    denormal operand (fr_feature runs ~3.4x slower with them); the values are below 1.2e-38, so
//    zeroing them does not change any output measurably.
//
// Cache location (same rule as lib/paths.ts modelCacheDir()): FACESIFT_MODEL_DIR, else
// ${FACESIFT_HOME:-<project root>/.facesift}/models.

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

const PACKAGE_SPEC = 'faceplugin-face-recognition-js@0.0.1';
// Bump when the rewrite below changes, so caches written by an older recipe are rebuilt.
const RECIPE_VERSION = 1;
const MAX_ABS_DIFF = 1e-4;

const MODELS = [
  {
    file: 'fr_feature.onnx',
    sha256: '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
    finalReshape: true,
  },
  {
    file: 'fr_detect.onnx',
    sha256: '6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854',
    finalReshape: false,
  },
  {
    file: 'fr_landmark.onnx',
    sha256: 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258',
    finalReshape: false,
  },
];

const projectRoot = path.resolve(process.env.FACESIFT_PROJECT_ROOT ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));
const modelDir = path.resolve(process.env.FACESIFT_MODEL_DIR ?? path.join(process.env.FACESIFT_HOME ?? path.join(projectRoot, '.facesift'), 'models'));
const manifestPath = path.join(modelDir, 'manifest.json');

class SetupError extends Error {}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

function cacheIsCurrent() {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch {
    return false;
  }
  if (manifest.recipeVersion !== RECIPE_VERSION || manifest.source !== PACKAGE_SPEC) return false;
  return MODELS.every(({ file }) => {
    const expected = manifest.files?.[file]?.sha256;
    try {
      return expected !== undefined && sha256(fs.readFileSync(path.join(modelDir, file))) === expected;
    } catch {
      return false;
    }
  });
}

function obtainTarball(workDir) {
  const local = process.env.FACESIFT_MODEL_TARBALL;
  if (local) {
    if (!fs.existsSync(local)) throw new SetupError(`FACESIFT_MODEL_TARBALL=${local} does not exist.`);
    return path.resolve(local);
  }
  let out;
  try {
    out = execFileSync('npm', ['pack', PACKAGE_SPEC, '--json', '--prefer-offline', '--pack-destination', workDir], {
      cwd: workDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    // npm's own error ends in a stack trace and log path; its code and first message line say what failed.
    const lines = String(err.stderr || err.message)
      .split('\n')
      .map((l) => l.replace(/^npm error\s*/, '').trim());
    const detail = [lines.find((l) => l.startsWith('code ')), lines.find((l) => /error|failed|not found/i.test(l))].filter(Boolean).join('; ');
    throw new SetupError(
      `could not download ${PACKAGE_SPEC} with \`npm pack\` (is the npm registry reachable?)\n  npm said: ${detail}\n` +
        'On a machine without registry access, copy faceplugin-face-recognition-js-0.0.1.tgz from a machine ' +
        'that has it (`npm pack ' +
        PACKAGE_SPEC +
        '`) and rerun with FACESIFT_MODEL_TARBALL=/path/to/it.tgz.',
    );
  }
  const [{ filename }] = JSON.parse(out);
  return path.join(workDir, path.basename(filename));
}

function extractModels(tarball, workDir) {
  const members = MODELS.map(({ file }) => `package/model/${file}`);
  try {
    execFileSync('tar', ['-xzf', tarball, '-C', workDir, ...members], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new SetupError(`could not extract the models from ${tarball}: ${String(err.stderr ?? err.message).trim()}`);
  }
  const originals = new Map();
  for (const { file, sha256: expected } of MODELS) {
    const bytes = fs.readFileSync(path.join(workDir, 'package', 'model', file));
    const actual = sha256(bytes);
    if (actual !== expected) {
      throw new SetupError(`${file} from ${tarball} has sha256 ${actual}, expected ${expected}; refusing to use it.`);
    }
    originals.set(file, bytes);
  }
  return originals;
}

function setBatchDimSymbolic(valueInfo) {
  const dims = valueInfo.type.tensorType.shape.dim;
  dims[0] = onnx.TensorShapeProto.Dimension.create({ dimParam: 'N' });
}

function int64Values(tensor) {
  if (tensor.int64Data?.length) return tensor.int64Data.map(Number);
  const raw = Buffer.from(tensor.rawData);
  return Array.from({ length: raw.length / 8 }, (_, i) => Number(raw.readBigInt64LE(i * 8)));
}

/** The recogniser ends in Reshape(x, [1,-1]); 0 copies the input's batch dim instead of pinning it to 1. */
function unpinFinalReshape(graph, file) {
  const outName = graph.output[0].name;
  const reshape = graph.node.find((n) => n.opType === 'Reshape' && n.output[0] === outName);
  const shape = reshape && graph.initializer.find((t) => t.name === reshape.input[1]);
  if (!shape || int64Values(shape).join() !== '1,-1') {
    throw new SetupError(`${file}: expected a final Reshape to [1,-1]; the model is not the one this script knows.`);
  }
  const raw = Buffer.alloc(16);
  raw.writeBigInt64LE(0n, 0);
  raw.writeBigInt64LE(-1n, 8);
  shape.int64Data = [];
  shape.rawData = raw;
}

function flushDenormals(tensor) {
  if (tensor.dataType !== onnx.TensorProto.DataType.FLOAT) return 0;
  let flushed = 0;
  if (tensor.rawData?.length) {
    const raw = Buffer.from(tensor.rawData);
    for (let off = 0; off < raw.length; off += 4) {
      const bits = raw.readUInt32LE(off);
      if ((bits & 0x7f800000) === 0 && (bits & 0x007fffff) !== 0) {
        raw.writeUInt32LE(0, off);
        flushed++;
      }
    }
    tensor.rawData = raw;
  } else if (tensor.floatData?.length) {
    tensor.floatData = tensor.floatData.map((v) => {
      if (v !== 0 && Math.abs(v) < 1.1754943508222875e-38) {
        flushed++;
        return 0;
      }
      return v;
    });
  }
  return flushed;
}

function rewrite(bytes, { file, finalReshape }) {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  for (const vi of [...graph.input, ...graph.output]) setBatchDimSymbolic(vi);
  if (finalReshape) unpinFinalReshape(graph, file);
  // Intermediate shapes recorded at batch 1 would contradict the symbolic batch.
  graph.valueInfo = [];
  let flushed = 0;
  for (const t of graph.initializer) flushed += flushDenormals(t);
  for (const node of graph.node) {
    if (node.opType !== 'Constant') continue;
    for (const attr of node.attribute) if (attr.t) flushed += flushDenormals(attr.t);
  }
  return { bytes: Buffer.from(onnx.ModelProto.encode(model).finish()), flushed };
}

/** Deterministic pseudo-random input in roughly the range the models see after normalisation. */
function testInput(count, seed) {
  const data = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return data;
}

async function verify(file, original, rewritten) {
  // Loaded here so that the up-to-date check above stays instant.
  const { default: ort } = await import('onnxruntime-node');
  const opts = { graphOptimizationLevel: 'all', intraOpNumThreads: 2 };
  const [a, b] = await Promise.all([ort.InferenceSession.create(original, opts), ort.InferenceSession.create(rewritten, opts)]);
  const inputName = a.inputNames[0];
  const shape = a.inputMetadata[0].shape;
  const per = shape.slice(1).reduce((x, y) => x * y, 1);
  const x0 = testInput(per, 1);
  const x1 = testInput(per, 2);
  const ref0 = await a.run({ [inputName]: new ort.Tensor('float32', x0, shape) });
  const ref1 = await a.run({ [inputName]: new ort.Tensor('float32', x1, shape) });
  const batched = new Float32Array(per * 2);
  batched.set(x0, 0);
  batched.set(x1, per);
  const single = await b.run({ [inputName]: new ort.Tensor('float32', x0, shape) });
  const pair = await b.run({ [inputName]: new ort.Tensor('float32', batched, [2, ...shape.slice(1)]) });
  let worst = 0;
  for (const name of a.outputNames) {
    const r0 = ref0[name].data;
    const r1 = ref1[name].data;
    const n = r0.length;
    if (pair[name].data.length !== 2 * n) throw new SetupError(`${file}: batch of 2 gave output ${name} of the wrong size.`);
    for (let i = 0; i < n; i++) {
      worst = Math.max(worst, Math.abs(single[name].data[i] - r0[i]), Math.abs(pair[name].data[i] - r0[i]), Math.abs(pair[name].data[n + i] - r1[i]));
    }
  }
  await Promise.all([a.release(), b.release()]);
  if (!(worst <= MAX_ABS_DIFF)) {
    throw new SetupError(`${file}: rewritten model differs from the original by ${worst} (limit ${MAX_ABS_DIFF}).`);
  }
  return worst;
}

function writeAtomically(target, bytes) {
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, target);
}

async function main() {
  if (cacheIsCurrent()) {
    console.log(`facesift models: up to date in ${modelDir}`);
    return;
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-models-'));
  try {
    console.log(`facesift models: fetching ${PACKAGE_SPEC} ...`);
    const tarball = obtainTarball(workDir);
    const originals = extractModels(tarball, workDir);
    fs.mkdirSync(modelDir, { recursive: true });
    const files = {};
    for (const spec of MODELS) {
      const original = originals.get(spec.file);
      const { bytes, flushed } = rewrite(original, spec);
      const diff = await verify(spec.file, original, bytes);
      writeAtomically(path.join(modelDir, spec.file), bytes);
      files[spec.file] = { sha256: sha256(bytes), sourceSha256: spec.sha256, denormalsFlushed: flushed };
      console.log(`  ${spec.file}: dynamic batch, ${flushed} denormal weights flushed, max |diff| ${diff.toExponential(1)}`);
    }
    // Written last: its presence with matching hashes is what marks the cache complete.
    writeAtomically(manifestPath, JSON.stringify({ source: PACKAGE_SPEC, recipeVersion: RECIPE_VERSION, files }, null, 2) + '\n');
    console.log(`facesift models: ready in ${modelDir}`);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`facesift models: ${err instanceof SetupError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
});
