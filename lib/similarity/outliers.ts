import { identityCentroids, type IdentityCentroids } from './centroids';
import { nativeSimilarity } from './native';
import { describeSet, type EmbeddingSet } from './types';

/**
 * Default flag threshold on the leave-one-out centroid score, for the default model (same-person
 * image cosine: mean ~0.68, min ~0.38; different persons: mean ~0.01, max ~0.26).
 * An image's cosine to the centroid of n other images of its own person is ~sqrt(s) (s = the share
 * of the image that is "the person", s ~ 0.68 on average), so genuine images score ~0.82, and even a
 * hard image that only reaches 0.38 with a typical one scores ~0.46; in a two-image folder the score
 * is the pair cosine itself (>= 0.38). An image of another person scores ~0 and at most ~0.3
 * (0.26 / sqrt(0.68)). 0.35 sits in that gap, a little nearer the foreign side so that small folders
 * of genuinely hard images are not flagged.
 */
export const DEFAULT_OUTLIER_THRESHOLD = 0.35;

export interface OutlierOptions {
  /** Rows whose score is below this are flagged. */
  threshold?: number;
  /** Neighbours averaged for `neighbourMean` (the top-10 signal of the by-eye outlier scripts). */
  neighbours?: number;
  /** Reuse centroids already computed for the same set. */
  centroids?: IdentityCentroids;
}

export interface OutlierReport {
  threshold: number;
  /** Per row: cosine to the mean of the other images of its folder (lower = more likely misfiled); NaN when alone. */
  score: Float32Array;
  /** Per row: mean cosine to its `neighbours` most similar images in its folder; NaN when alone. */
  neighbourMean: Float32Array;
  /** Per row: the other identity whose centroid is most similar, -1 when there is none. */
  nearestIdentity: Int32Array;
  nearestIdentitySimilarity: Float32Array;
  /** Rows with score < threshold, lowest score first (ties by row). */
  flagged: Int32Array;
}

export async function findOutliers(set: EmbeddingSet, options: OutlierOptions = {}): Promise<OutlierReport> {
  const { rows, identities } = describeSet(set);
  const threshold = options.threshold ?? DEFAULT_OUTLIER_THRESHOLD;
  const neighbours = options.neighbours ?? 10;
  const { vectors, dim, labels } = set;
  const centroids = options.centroids ?? identityCentroids(set);
  const { counts, sums } = centroids;

  const sumNorm2 = new Float64Array(identities);
  for (let c = 0; c < identities; c++) {
    let s = 0;
    for (let k = c * dim; k < (c + 1) * dim; k++) s += sums[k] * sums[k];
    sumNorm2[c] = s;
  }
  // cos(x, S - x) from x.S, |x|^2 and |S|^2: one pass over the rows instead of a centroid per row.
  const score = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const label = labels[r];
    if (counts[label] < 2) {
      score[r] = Number.NaN;
      continue;
    }
    let xs = 0;
    let xx = 0;
    for (let k = 0; k < dim; k++) {
      const x = vectors[r * dim + k];
      xs += x * sums[label * dim + k];
      xx += x * x;
    }
    const rest2 = sumNorm2[label] - 2 * xs + xx;
    score[r] = rest2 > 1e-12 && xx > 0 ? (xs - xx) / Math.sqrt(rest2 * xx) : 0;
  }

  // Neighbours come from the rows given, which hold every row of each person they hold (a
  // search's block does), while the scores above use the centroids of all rows.
  const present = new Int32Array(identities);
  for (let r = 0; r < rows; r++) present[labels[r]]++;
  const offsets = new Int32Array(identities + 1);
  for (let c = 0; c < identities; c++) offsets[c + 1] = offsets[c] + present[c];
  const order = new Int32Array(rows);
  const fill = offsets.slice(0, identities);
  for (let r = 0; r < rows; r++) order[fill[labels[r]]++] = r;

  // One after the other: each already uses every core.
  const native = nativeSimilarity();
  const neighbourMean = await native.groupTopMean(vectors, dim, order, offsets, neighbours);
  const nearest = await native.nearestOtherCentroid(vectors, dim, labels, centroids.centroids);

  const flaggedRows: number[] = [];
  for (let r = 0; r < rows; r++) if (score[r] < threshold) flaggedRows.push(r);
  flaggedRows.sort((a, b) => score[a] - score[b] || a - b);

  return {
    threshold,
    score,
    neighbourMean,
    nearestIdentity: nearest.label,
    nearestIdentitySimilarity: nearest.sim,
    flagged: Int32Array.from(flaggedRows),
  };
}
