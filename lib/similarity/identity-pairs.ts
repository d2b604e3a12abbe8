import { centroidCosine, identityCentroids, type IdentityCentroids } from './centroids';
import { describeSet, type EmbeddingSet, type PairList } from './types';

export interface IdentityPair {
  /** Identity labels, a < b. */
  a: number;
  b: number;
  /** Cosine of the two identities' mean embeddings. */
  centroidSimilarity: number;
  /** Cross-identity image pairs between them (those given, i.e. at or above the search threshold). */
  pairCount: number;
  maxSimilarity: number;
  meanSimilarity: number;
}

/**
 * Person pairs with at least one cross-identity image pair, as merge suggestions.
 *
 * Ranked by centroid similarity (then pair count, then max similarity): a person split over two
 * folders has two centroids of the same person (cosine ~0.9+, where same-person images average 0.68),
 * look-alikes stay well below, and a single misfiled image — which produces many strong pairs
 * with the folder of its true person — barely moves either centroid, so it does not outrank a real
 * split. Pair counts and maxima are shown beside it as evidence but would rank misfiled images and
 * large folders first.
 */
export function rankIdentityPairs(set: EmbeddingSet, crossPairs: PairList, options: { centroids?: IdentityCentroids } = {}): IdentityPair[] {
  const { identities } = describeSet(set);
  const { labels, dim } = set;
  const byKey = new Map<number, IdentityPair>();
  for (let p = 0; p < crossPairs.i.length; p++) {
    const la = labels[crossPairs.i[p]];
    const lb = labels[crossPairs.j[p]];
    if (la === lb) continue;
    const a = Math.min(la, lb);
    const b = Math.max(la, lb);
    const key = a * identities + b;
    const sim = crossPairs.sim[p];
    const pair = byKey.get(key);
    if (pair) {
      pair.pairCount++;
      pair.meanSimilarity += sim;
      if (sim > pair.maxSimilarity) pair.maxSimilarity = sim;
    } else {
      byKey.set(key, { a, b, centroidSimilarity: 0, pairCount: 1, maxSimilarity: sim, meanSimilarity: sim });
    }
  }
  if (byKey.size === 0) return [];
  const ranked = [...byKey.values()];
  for (const pair of ranked) pair.meanSimilarity /= pair.pairCount;
  return rankByCentroids(ranked, options.centroids ?? identityCentroids(set), dim);
}

/** Person pairs with their pair evidence, given their centroid similarity and ranked (see rankIdentityPairs). */
export function rankByCentroids(pairs: IdentityPair[], centroids: IdentityCentroids, dim: number): IdentityPair[] {
  for (const pair of pairs) pair.centroidSimilarity = centroidCosine(centroids, dim, pair.a, pair.b);
  return pairs.sort(
    (x, y) => y.centroidSimilarity - x.centroidSimilarity || y.pairCount - x.pairCount || y.maxSimilarity - x.maxSimilarity || x.a - y.a || x.b - y.b,
  );
}
