import type { EmbeddingSet } from '@/lib/similarity';

/** Reference results computed the slow, obvious way, over every pair. */

/** Plain float64 dot product. */
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

/**
 * The similarity as the native join defines it (native/src/exact.h), written out here on its own:
 * the float32 products summed in double, lane k mod 8 each, lanes added pairwise, then rounded to
 * float32. A pair qualifies when this is >= Math.fround(threshold); no tolerance anywhere.
 */
const lane = new Float64Array(8);

export function float32Sim(set: EmbeddingSet, a: number, b: number): number {
  const { vectors, dim } = set;
  lane.fill(0);
  for (let k = 0; k < dim; k++) lane[k % 8] += vectors[a * dim + k] * vectors[b * dim + k];
  return Math.fround(lane[0] + lane[1] + (lane[2] + lane[3]) + (lane[4] + lane[5] + (lane[6] + lane[7])));
}

/** sim >= threshold as the join compares them: both in float32. */
export function atLeast(sim: number, threshold: number): boolean {
  return sim >= Math.fround(threshold);
}

/** Every pair i < j accepted by `keep`, in increasing (i, j), with its float32Sim. */
export function bruteForcePairs(set: EmbeddingSet, keep: (sim: number, sameLabel: boolean) => boolean): BrutePair[] {
  const n = set.labels.length;
  const out: BrutePair[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const sim = float32Sim(set, i, j);
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
