import { badRequest } from '@/lib/errors';
import { settingsRepository } from '@/lib/repositories/settings';
import { searchResultsRepository, type EmbeddingRows, type OutlierToWrite, type PairRowsToWrite } from '@/lib/repositories/search-results';
import type { SearchJobParams } from '@/lib/schemas/jobs';
import type { JobProgress } from '@/lib/services/job-progress';
import { identityPairKeyOf, outlierKeyOf, pairKeyOf } from '@/lib/services/decisions';
import { rebuildReview } from '@/lib/services/review';
import { embeddingModelName } from '@/lib/services/scan';
import { defaultCrossThreshold } from '@/lib/services/settings';
import {
  DEFAULT_OUTLIER_THRESHOLD,
  TooManyPairsError,
  findCandidatePairs,
  findOutliers,
  identityCentroids,
  rankIdentityPairs,
  type EmbeddingSet,
  type PairList,
} from '@/lib/similarity';

export interface SearchSummary {
  images: number;
  identities: number;
  threshold: number;
  duplicateThreshold: number;
  crossIdentityPairs: number;
  nearDuplicates: number;
  identityPairs: number;
  flaggedOutliers: number;
  seconds: { load: number; search: number; write: number };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Dense labels (0..k-1) per person, as the similarity kernels index per-person arrays by label. */
function toEmbeddingSet(rows: EmbeddingRows): { set: EmbeddingSet; identityOfLabel: number[] } {
  const labelOf = new Map<number, number>();
  const identityOfLabel: number[] = [];
  const labels = new Int32Array(rows.identityIds.length);
  rows.identityIds.forEach((identityId, r) => {
    let label = labelOf.get(identityId);
    if (label === undefined) {
      label = identityOfLabel.push(identityId) - 1;
      labelOf.set(identityId, label);
    }
    labels[r] = label;
  });
  return { set: { vectors: rows.vectors, dim: rows.dim, labels }, identityOfLabel };
}

/** a is the image whose path comes first in UTF-8 byte order (the order scripts sorting bytes see). */
function byteOrderRanks(paths: string[]): Int32Array {
  const bytes = paths.map((path) => Buffer.from(path));
  const order = paths.map((_, r) => r).sort((x, y) => Buffer.compare(bytes[x], bytes[y]));
  const rank = new Int32Array(paths.length);
  order.forEach((row, position) => (rank[row] = position));
  return rank;
}

function pairRows(kind: PairRowsToWrite['kind'], list: PairList, rows: EmbeddingRows, rank: Int32Array): PairRowsToWrite {
  const first = (p: number) => (rank[list.i[p]] < rank[list.j[p]] ? list.i[p] : list.j[p]);
  const second = (p: number) => (rank[list.i[p]] < rank[list.j[p]] ? list.j[p] : list.i[p]);
  return {
    kind,
    count: list.i.length,
    imageA: (p) => rows.imageIds[first(p)],
    imageB: (p) => rows.imageIds[second(p)],
    identityA: (p) => rows.identityIds[first(p)],
    identityB: (p) => rows.identityIds[second(p)],
    similarity: (p) => Math.min(1, list.sim[p]),
    pairKey: (p) => pairKeyOf(rows.hashes[list.i[p]], rows.hashes[list.j[p]]),
  };
}

/**
 * The whole search: every cross-identity pair at or above the threshold (exact), near-duplicates,
 * outliers and merge suggestions, written in one transaction that keeps every decision.
 */
export async function runSearch(params: SearchJobParams, progress: JobProgress, log: (line: string) => void): Promise<SearchSummary> {
  const settings = await settingsRepository.get();
  const threshold = params.threshold ?? settings.crossThreshold ?? defaultCrossThreshold(settings);
  const duplicateThreshold = params.duplicateThreshold ?? settings.duplicateThreshold;
  const maxPairs = params.maxPairs ?? settings.maxPairs;
  const model = embeddingModelName(settings);
  await progress.setTotal(3);

  let start = process.hrtime.bigint();
  const rows = await searchResultsRepository.loadEmbeddings(model);
  // with nothing embedded there is nothing to compare, but stale candidates must still go
  if (rows.dim === 0) rows.dim = 1;
  const { set, identityOfLabel } = toEmbeddingSet(rows);
  const load = ms(start);
  log(`loaded ${rows.imageIds.length} embeddings of ${identityOfLabel.length} people in ${load.toFixed(1)} s`);
  await progress.advance(1);

  start = process.hrtime.bigint();
  let found;
  try {
    found = await findCandidatePairs(set, { threshold, dupThreshold: duplicateThreshold, hashes: rows.hashes, maxPairs });
  } catch (error) {
    if (error instanceof TooManyPairsError) throw badRequest(error.message, { pairCount: error.pairCount, suggestedThreshold: error.suggestedThreshold });
    throw error;
  }
  const centroids = identityCentroids(set);
  const outliers = await findOutliers(set, { threshold: settings.outlierThreshold ?? DEFAULT_OUTLIER_THRESHOLD, centroids });
  const merges = rankIdentityPairs(set, found.cross, { centroids });
  const search = ms(start);
  log(`found ${found.cross.i.length} cross-identity pairs >= ${threshold}, ${found.nearDuplicates.i.length} near-duplicates, ${outliers.flagged.length} outliers in ${search.toFixed(1)} s`);
  await progress.advance(1);

  start = process.hrtime.bigint();
  const rank = byteOrderRanks(rows.paths);
  const name = (label: number) => rows.identityNames.get(identityOfLabel[label])!;
  const outlierRows: OutlierToWrite[] = [];
  outliers.score.forEach((score, r) => {
    if (Number.isNaN(score)) return;
    const nearest = outliers.nearestIdentity[r];
    outlierRows.push({
      imageId: rows.imageIds[r],
      identityId: rows.identityIds[r],
      score,
      neighbourScore: outliers.neighbourMean[r],
      nearestIdentityId: nearest >= 0 ? identityOfLabel[nearest] : null,
      nearestSimilarity: nearest >= 0 ? outliers.nearestIdentitySimilarity[r] : null,
      flagged: score < outliers.threshold,
      subjectKey: outlierKeyOf(rows.identityNames.get(rows.identityIds[r])!, rows.hashes[r]),
    });
  });
  await searchResultsRepository.replaceResults(
    [pairRows('cross_identity', found.cross, rows, rank), pairRows('near_duplicate', found.nearDuplicates, rows, rank)],
    merges.map((pair, position) => {
      const [a, b] = Buffer.compare(Buffer.from(name(pair.a)), Buffer.from(name(pair.b))) < 0 ? [pair.a, pair.b] : [pair.b, pair.a];
      return {
        identityAId: identityOfLabel[a],
        identityBId: identityOfLabel[b],
        centroidSimilarity: pair.centroidSimilarity,
        pairCount: pair.pairCount,
        maxSimilarity: pair.maxSimilarity,
        meanSimilarity: pair.meanSimilarity,
        score: merges.length - position,
        pairKey: identityPairKeyOf(name(a), name(b)),
      };
    }),
    outlierRows,
  );
  // verdicts given on earlier candidates explain the new ones too: found again or found anew
  await rebuildReview();
  const write = ms(start);
  const written = found.cross.i.length + found.nearDuplicates.i.length;
  log(`wrote ${written} pairs in ${write.toFixed(1)} s (${Math.round(written / Math.max(write, 1e-3))} pairs/s)`);
  await progress.advance(1);
  await progress.flush();
  return {
    images: rows.imageIds.length,
    identities: identityOfLabel.length,
    threshold,
    duplicateThreshold,
    crossIdentityPairs: found.cross.i.length,
    nearDuplicates: found.nearDuplicates.i.length,
    identityPairs: merges.length,
    flaggedOutliers: outliers.flagged.length,
    seconds: { load, search, write },
  };
}
