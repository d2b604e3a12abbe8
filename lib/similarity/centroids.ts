import { describeSet, type EmbeddingSet } from './types';

export interface IdentityCentroids {
  identities: number;
  /** Rows per identity. */
  counts: Int32Array;
  /** identities * dim sums of each identity's rows, in float64 so leave-one-out differences stay exact. */
  sums: Float64Array;
  /** identities * dim normalised means; NaN for identities without rows, so they never rank as nearest. */
  centroids: Float32Array;
}

export function identityCentroids(set: EmbeddingSet): IdentityCentroids {
  const { identities, rows } = describeSet(set);
  const { vectors, dim, labels } = set;
  const counts = new Int32Array(identities);
  const sums = new Float64Array(identities * dim);
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    counts[label]++;
    const at = label * dim;
    const row = r * dim;
    for (let k = 0; k < dim; k++) sums[at + k] += vectors[row + k];
  }
  return centroidsFromSums(counts, sums, dim);
}

/** Centroids from per-identity row counts and float64 sums (e.g. summed a block at a time). */
export function centroidsFromSums(counts: Int32Array, sums: Float64Array, dim: number): IdentityCentroids {
  const identities = counts.length;
  const centroids = new Float32Array(identities * dim);
  for (let c = 0; c < identities; c++) {
    const at = c * dim;
    let norm = 0;
    for (let k = 0; k < dim; k++) norm += sums[at + k] * sums[at + k];
    const inv = counts[c] > 0 && norm > 0 ? 1 / Math.sqrt(norm) : Number.NaN;
    for (let k = 0; k < dim; k++) centroids[at + k] = sums[at + k] * inv;
  }
  return { identities, counts, sums, centroids };
}

export function centroidCosine(c: IdentityCentroids, dim: number, a: number, b: number): number {
  let s = 0;
  for (let k = 0; k < dim; k++) s += c.centroids[a * dim + k] * c.centroids[b * dim + k];
  return s;
}
