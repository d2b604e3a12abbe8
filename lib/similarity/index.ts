export type { EmbeddingSet, PairList } from './types';
export { centroidsFromSums, identityCentroids, type IdentityCentroids } from './centroids';
export {
  DEFAULT_MAX_PAIRS,
  TooManyPairsError,
  findCandidatePairs,
  findCrossIdentityPairs,
  findNearDuplicates,
  findTilePairs,
  tooManyPairs,
  type TilePairs,
  type CandidateSearch,
  type CandidateSearchOptions,
  type NearDuplicateList,
} from './pairs';
export { DEFAULT_OUTLIER_THRESHOLD, findOutliers, type OutlierOptions, type OutlierReport } from './outliers';
export { rankByCentroids, rankIdentityPairs, type IdentityPair } from './identity-pairs';
export { nativeSimilarity, type PairRange } from './native';
