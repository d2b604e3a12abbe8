import type { EmbeddingSet } from '@/lib/similarity';

/** Reference results computed the slow, obvious way (float64 dot products over every pair). */

export function dot(set: EmbeddingSet, a: number, b: number): number {
  const { vectors, dim } = set;
  let s = 0;
  for (let k = 0; k < dim; k++) s += vectors[a * dim + k] * vectors[b * dim + k];
  return s;
}

export interface BrutePair {
  i: number;
  j: number;
  sim: number;
}

/** Every pair i < j accepted by `keep`, with its similarity. */
export function bruteForcePairs(set: EmbeddingSet, keep: (sim: number, sameLabel: boolean) => boolean): BrutePair[] {
  const n = set.labels.length;
  const out: BrutePair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const sim = dot(set, i, j);
      if (keep(sim, set.labels[i] === set.labels[j])) out.push({ i, j, sim });
    }
  }
  return out;
}

export function pairKey(i: number, j: number): string {
  return `${i}:${j}`;
}

/** Reorders rows (and labels) by a seeded shuffle, so folders are no longer contiguous. */
export function shuffleRows(set: EmbeddingSet, rng: () => number): EmbeddingSet {
  const n = set.labels.length;
  const order = Array.from({ length: n }, (_, r) => r);
  for (let r = n - 1; r > 0; r--) {
    const s = Math.floor(rng() * (r + 1));
    [order[r], order[s]] = [order[s], order[r]];
  }
  const vectors = new Float32Array(set.vectors.length);
  const labels = new Int32Array(n);
  order.forEach((from, to) => {
    vectors.set(set.vectors.subarray(from * set.dim, (from + 1) * set.dim), to * set.dim);
    labels[to] = set.labels[from];
  });
  return { vectors, dim: set.dim, labels };
}
