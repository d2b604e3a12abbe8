import { settingsRepository } from '@/lib/repositories/settings';
import { similarityStatsRepository } from '@/lib/repositories/similarity-stats';
import type { SimilarityHistogram } from '@/lib/schemas/responses';
import { embeddingModelName } from '@/lib/services/scan';

/** Cosine from -1 to 1 in bins of 0.01: fine enough to read a threshold off to two decimals. */
export const HISTOGRAM_FROM = -1;
export const HISTOGRAM_BIN_WIDTH = 0.01;
const HISTOGRAM_BINS = 200;

/** Whole folders up to this many images are loaded (about 2 KB each). */
const SAMPLE_IMAGES = 4000;
/** Pairs per group beyond which random pairs stand in for all of them. */
const MAX_PAIRS = 300_000;

const binOf = (similarity: number) => Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor((similarity - HISTOGRAM_FROM) / HISTOGRAM_BIN_WIDTH)));

function dot(vectors: Float32Array, dim: number, a: number, b: number): number {
  let sum = 0;
  const x = a * dim;
  const y = b * dim;
  for (let k = 0; k < dim; k++) sum += vectors[x + k] * vectors[y + k];
  return sum;
}

/**
 * Same-person and different-person similarities of this dataset, to choose thresholds by: where the
 * two distributions overlap is where a threshold trades missed mistakes against pairs to review.
 * A group with up to MAX_PAIRS pairs in the sample counts every pair; a larger one draws MAX_PAIRS at random.
 */
export async function similarityHistogram(): Promise<SimilarityHistogram> {
  const settings = await settingsRepository.get();
  const model = embeddingModelName(settings);
  const sample = await similarityStatsRepository.sampleFolders(model, SAMPLE_IMAGES);
  const { vectors, dim, labels } = sample;
  const n = labels.length;
  const same = new Array<number>(HISTOGRAM_BINS).fill(0);
  const different = new Array<number>(HISTOGRAM_BINS).fill(0);

  // rows are grouped by person: folder k spans rows start[k] .. start[k + 1] - 1
  const start: number[] = [];
  for (let r = 0; r < n; r++) if (r === 0 || labels[r] !== labels[r - 1]) start.push(r);
  start.push(n);
  const sizes = start.slice(1).map((end, k) => end - start[k]);
  const samePairs = sizes.reduce((sum, size) => sum + (size * (size - 1)) / 2, 0);
  const differentPairs = (n * (n - 1)) / 2 - samePairs;
  const allSame = samePairs <= MAX_PAIRS;
  const allDifferent = differentPairs <= MAX_PAIRS;

  if (allSame) {
    for (let k = 0; k < sizes.length; k++) {
      for (let a = start[k]; a < start[k + 1]; a++) for (let b = a + 1; b < start[k + 1]; b++) same[binOf(dot(vectors, dim, a, b))]++;
    }
  } else {
    // a folder is drawn in proportion to its pairs, so every same-person pair is equally likely
    const cumulative: number[] = [];
    sizes.reduce((sum, size, k) => (cumulative[k] = sum + (size * (size - 1)) / 2), 0);
    for (let p = 0; p < MAX_PAIRS; p++) {
      const target = Math.random() * samePairs;
      let lo = 0;
      let hi = cumulative.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid] > target) hi = mid;
        else lo = mid + 1;
      }
      const a = start[lo] + Math.floor(Math.random() * sizes[lo]);
      let b = start[lo] + Math.floor(Math.random() * (sizes[lo] - 1));
      if (b >= a) b++;
      same[binOf(dot(vectors, dim, a, b))]++;
    }
  }
  if (allDifferent) {
    for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (labels[a] !== labels[b]) different[binOf(dot(vectors, dim, a, b))]++;
  } else {
    for (let p = 0; p < MAX_PAIRS;) {
      const a = Math.floor(Math.random() * n);
      const b = Math.floor(Math.random() * n);
      if (labels[a] === labels[b]) continue;
      different[binOf(dot(vectors, dim, a, b))]++;
      p++;
    }
  }

  const outliers = await similarityStatsRepository.outlierScoreCounts(HISTOGRAM_FROM, HISTOGRAM_BIN_WIDTH, HISTOGRAM_BINS);
  return {
    model,
    from: HISTOGRAM_FROM,
    binWidth: HISTOGRAM_BIN_WIDTH,
    same,
    different,
    sample: { images: n, identities: sizes.length, samePairs, differentPairs, allPairs: allSame && allDifferent },
    dataset: {
      images: sample.datasetImages,
      identities: sample.datasetIdentities,
      samePairs: sample.datasetSamePairs,
      differentPairs: (sample.datasetImages * (sample.datasetImages - 1)) / 2 - sample.datasetSamePairs,
    },
    outliers: outliers.images > 0 ? outliers : null,
  };
}
