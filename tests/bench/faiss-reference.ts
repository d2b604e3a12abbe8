import { createRequire } from 'node:module';

interface FaissIndex {
  add(x: number[]): void;
  search(x: number[], k: number): { distances: number[]; labels: number[] };
}

export const REFERENCE_K = 64;
export const REFERENCE_BATCH = 4096;

/**
 * The raw reference: faiss-node IndexFlatIP searching every vector with k=64 in batches.
 * Returns the wall and CPU seconds spent in search() (not add()), and the cross-identity pairs it saw
 * among each image's top k clearly above the threshold (by more than float32 summation can be off,
 * twice gamma_d for unit vectors), for a cross-check of our result.
 */
export function faissReferenceSearch(vectors: Float32Array, dim: number, labels: Int32Array, threshold: number) {
  const faiss = createRequire(import.meta.url)('faiss-node') as { IndexFlatIP: new (d: number) => FaissIndex };
  const rows = labels.length;
  const u = 2 ** -24;
  const clearlyAbove = threshold + (2 * dim * u) / (1 - dim * u);
  const index = new faiss.IndexFlatIP(dim);
  for (let r = 0; r < rows; r += REFERENCE_BATCH) index.add(Array.from(vectors.subarray(r * dim, Math.min(rows, r + REFERENCE_BATCH) * dim)));
  const pairs = new Set<number>();
  let searchSeconds = 0;
  let searchCpuSeconds = 0;
  for (let r = 0; r < rows; r += REFERENCE_BATCH) {
    const end = Math.min(rows, r + REFERENCE_BATCH);
    const query = Array.from(vectors.subarray(r * dim, end * dim));
    const start = performance.now();
    const cpu = process.cpuUsage();
    const { distances, labels: found } = index.search(query, REFERENCE_K);
    searchSeconds += (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    searchCpuSeconds += (used.user + used.system) / 1e6;
    for (let q = 0; q < end - r; q++) {
      for (let n = 0; n < REFERENCE_K; n++) {
        const i = r + q;
        const j = found[q * REFERENCE_K + n];
        if (j < 0 || distances[q * REFERENCE_K + n] < clearlyAbove || labels[i] === labels[j]) continue;
        pairs.add(Math.min(i, j) * rows + Math.max(i, j));
      }
    }
  }
  return { searchSeconds, searchCpuSeconds, pairs };
}
