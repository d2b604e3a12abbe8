// numpy's brute force, the optional peer of the join benchmarks: present wherever python3 has numpy.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** numpy brute force (float32 sgemm over the upper triangle in row blocks, threshold and cross filter), or null. */
export function numpyBruteForce(vectors: Float32Array, dim: number, labels: Int32Array, threshold: number) {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
  if (probe.status !== 0) return null;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-join-'));
  try {
    fs.writeFileSync(path.join(dir, 'x.f32'), Buffer.from(vectors.buffer, vectors.byteOffset, vectors.byteLength));
    fs.writeFileSync(path.join(dir, 'labels.i32'), Buffer.from(labels.buffer, labels.byteOffset, labels.byteLength));
    const script = `
import json, sys, time, numpy as np
d, t, folder = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
x = np.fromfile(folder + '/x.f32', dtype=np.float32).reshape(-1, d)
labels = np.fromfile(folder + '/labels.i32', dtype=np.int32)
n, pairs, block = x.shape[0], 0, 1024
start, cpu = time.perf_counter(), time.process_time()
for i0 in range(0, n, block):
    i1 = min(n, i0 + block)
    s = x[i0:i1] @ x[i0:].T
    rows = np.arange(i0, i1)[:, None]
    cols = np.arange(i0, n)[None, :]
    keep = (s >= np.float32(t)) & (cols > rows) & (labels[i0:i1, None] != labels[None, i0:])
    pairs += int(keep.sum())
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu, "pairs": pairs}))
`;
    const run = spawnSync('python3', ['-c', script, String(dim), String(threshold), dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`numpy brute force failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as { wall: number; cpu: number; pairs: number };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
