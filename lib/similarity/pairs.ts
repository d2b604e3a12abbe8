import { nativeSimilarity, type PairRange, type RawPairs } from './native';
import { exactSimilarity } from './exact';
import { describeSet, type EmbeddingSet, type PairList } from './types';

export const DEFAULT_MAX_PAIRS = 5_000_000;

/** A search would yield more pairs than the cap: says how many, and which threshold would fit. */
export class TooManyPairsError extends Error {
  constructor(
    readonly threshold: number,
    readonly maxPairs: number,
    /** Number of pairs the search yields (exact, except for identical-hash pairs: counted up to the limit). */
    readonly pairCount: number,
    /**
     * The lowest threshold, in steps of 0.01, whose result fits under the cap; null when none does
     * (the excess is near-duplicates, which the cross-identity threshold does not reduce).
     */
    readonly suggestedThreshold: number | null,
    /** Pairs the search yields at the suggested threshold. */
    readonly suggestedPairCount: number | null,
  ) {
    const count = (value: number) => Math.round(value).toLocaleString('en');
    super(
      suggestedThreshold === null
        ? `the search yields ${count(pairCount)} pairs, more than the limit of ${count(maxPairs)}, and near-duplicates ` +
            '(similar or identical content) alone exceed it; raise the duplicate threshold or the pair limit'
        : `threshold ${threshold} yields ${count(pairCount)} pairs, more than the limit of ${count(maxPairs)}; ` +
            `use a threshold of ${suggestedThreshold.toFixed(2)} (${count(suggestedPairCount ?? 0)} pairs) or raise the pair limit`,
    );
    this.name = 'TooManyPairsError';
  }
}

export interface NearDuplicateList extends PairList {
  /** 1 where both images have the same content hash. */
  sameHash: Uint8Array;
}

export interface CandidateSearchOptions {
  /** Cross-identity pairs: images of different folders with cosine >= threshold. */
  threshold: number;
  /** Near-duplicates: any two images with cosine >= dupThreshold; omitted = none searched. */
  dupThreshold?: number;
  /** Content hash per row (null/undefined = unknown); equal hashes are near-duplicates whatever the cosine. */
  hashes?: readonly (string | null | undefined)[];
  maxPairs?: number;
  /** One tile of the search: only pairs (i, j) inside these row and column ranges (default: all). */
  range?: PairRange;
}

export interface CandidateSearch {
  cross: PairList;
  /** Overlaps `cross` where a cross-identity pair is also a near-duplicate. */
  nearDuplicates: NearDuplicateList;
}

/**
 * Cross-identity pairs and near-duplicates from one pass over all pairs: exact (the native join's
 * int8 or float32 scores only propose candidates within a proven error bound of the threshold, and
 * each is re-scored as exactSimilarity), in increasing (i, j) then same-hash pairs, computed off the JS thread.
 */
export async function findCandidatePairs(set: EmbeddingSet, options: CandidateSearchOptions): Promise<CandidateSearch> {
  describeSet(set);
  const { threshold, dupThreshold } = options;
  const maxPairs = options.maxPairs ?? DEFAULT_MAX_PAIRS;
  if (Number.isNaN(threshold) || (dupThreshold !== undefined && Number.isNaN(dupThreshold))) {
    throw new RangeError('thresholds must be numbers');
  }
  const same = dupThreshold ?? Number.POSITIVE_INFINITY;
  const raw = await nativeSimilarity().pairsAbove(set.vectors, set.dim, set.labels, Math.min(threshold, same), same, maxPairs, options.range);
  if (raw.qualifying > maxPairs) throw tooManyPairs(raw, threshold, maxPairs);

  const cross = selectPairs(raw, (p) => set.labels[raw.i[p]] !== set.labels[raw.j[p]] && raw.sim[p] >= threshold);
  const byEmbedding = selectPairs(raw, (p) => raw.sim[p] >= same);
  const nearDuplicates = mergeHashPairs(set, byEmbedding, options.hashes, maxPairs, threshold, options.range);
  return { cross, nearDuplicates };
}

/** Every pair of images from different folders with cosine >= threshold (i < j). */
export async function findCrossIdentityPairs(set: EmbeddingSet, threshold: number, options: { maxPairs?: number } = {}): Promise<PairList> {
  return (await findCandidatePairs(set, { threshold, maxPairs: options.maxPairs })).cross;
}

/** Pairs with cosine >= dupThreshold inside and across folders, plus pairs with identical content hashes. */
export async function findNearDuplicates(
  set: EmbeddingSet,
  dupThreshold: number,
  hashes?: readonly (string | null | undefined)[],
  options: { maxPairs?: number } = {},
): Promise<NearDuplicateList> {
  const found = await findCandidatePairs(set, {
    threshold: Number.POSITIVE_INFINITY,
    dupThreshold,
    hashes,
    maxPairs: options.maxPairs,
  });
  return found.nearDuplicates;
}

export interface TilePairs {
  cross: PairList;
  /** Pairs at or above the duplicate threshold, inside and across folders (identical hashes are the finish step's). */
  nearDuplicates: PairList;
  /** Exact number of qualifying pairs of the range, stored or not (see RawPairs). */
  qualifying: number;
  crossHistogram: Float64Array;
}

/**
 * One tile of a search: the pairs i < j with i in [rowStart, rowEnd) and j in [colStart, colEnd)
 * (indices into `set`), split as findCandidatePairs splits them. Tiles of the upper triangle
 * together yield exactly what one call over the whole set yields. Over maxPairs, nothing is stored
 * and only the counts come back: the whole search is over the cap then, which the caller decides.
 */
export async function findTilePairs(
  set: EmbeddingSet,
  options: { threshold: number; dupThreshold?: number; maxPairs: number },
  range: PairRange,
): Promise<TilePairs> {
  const same = options.dupThreshold ?? Number.POSITIVE_INFINITY;
  const raw = await nativeSimilarity().pairsAbove(set.vectors, set.dim, set.labels, Math.min(options.threshold, same), same, options.maxPairs, range);
  const stored = raw.qualifying <= options.maxPairs;
  const cross = selectPairs(raw, (p) => stored && set.labels[raw.i[p]] !== set.labels[raw.j[p]] && raw.sim[p] >= options.threshold);
  const nearDuplicates = selectPairs(raw, (p) => stored && raw.sim[p] >= same);
  return { cross, nearDuplicates, qualifying: raw.qualifying, crossHistogram: raw.crossHistogram };
}

function selectPairs(raw: PairList, keep: (p: number) => boolean): PairList {
  let count = 0;
  for (let p = 0; p < raw.i.length; p++) if (keep(p)) count++;
  const out: PairList = { i: new Int32Array(count), j: new Int32Array(count), sim: new Float32Array(count) };
  for (let p = 0, q = 0; p < raw.i.length; p++) {
    if (!keep(p)) continue;
    out.i[q] = raw.i[p];
    out.j[q] = raw.j[p];
    out.sim[q++] = raw.sim[p];
  }
  return out;
}

function mergeHashPairs(
  set: EmbeddingSet,
  byEmbedding: PairList,
  hashes: readonly (string | null | undefined)[] | undefined,
  maxPairs: number,
  threshold: number,
  range: PairRange = {},
): NearDuplicateList {
  const rows = set.labels.length;
  const { rowStart = 0, rowEnd = rows, colStart = 0, colEnd = rows } = range;
  const inRange = (i: number, j: number) => i >= rowStart && i < rowEnd && j >= colStart && j < colEnd;
  const sameHash = new Uint8Array(byEmbedding.i.length);
  if (!hashes) return { ...byEmbedding, sameHash };
  if (hashes.length !== rows) throw new RangeError(`hashes has ${hashes.length} entries for ${rows} rows`);

  const groups = new Map<string, number[]>();
  hashes.forEach((hash, row) => {
    if (hash == null) return;
    const group = groups.get(hash);
    if (group) group.push(row);
    else groups.set(hash, [row]);
  });
  const position = new Map<number, number>();
  for (let p = 0; p < byEmbedding.i.length; p++) position.set(byEmbedding.i[p] * rows + byEmbedding.j[p], p);

  const extraI: number[] = [];
  const extraJ: number[] = [];
  for (const group of groups.values()) {
    for (let a = 0; a < group.length; a++) {
      for (let b = a + 1; b < group.length; b++) {
        if (!inRange(group[a], group[b])) continue;
        const p = position.get(group[a] * rows + group[b]);
        if (p !== undefined) {
          sameHash[p] = 1;
          continue;
        }
        extraI.push(group[a]);
        extraJ.push(group[b]);
        if (byEmbedding.i.length + extraI.length > maxPairs) {
          throw new TooManyPairsError(threshold, maxPairs, byEmbedding.i.length + extraI.length, null, null);
        }
      }
    }
  }
  const total = byEmbedding.i.length + extraI.length;
  const out: NearDuplicateList = {
    i: new Int32Array(total),
    j: new Int32Array(total),
    sim: new Float32Array(total),
    sameHash: new Uint8Array(total),
  };
  out.i.set(byEmbedding.i);
  out.j.set(byEmbedding.j);
  out.sim.set(byEmbedding.sim);
  out.sameHash.set(sameHash);
  for (let e = 0, p = byEmbedding.i.length; e < extraI.length; e++, p++) {
    out.i[p] = extraI[e];
    out.j[p] = extraJ[e];
    out.sim[p] = exactSimilarity(set.vectors, set.dim, extraI[e], extraJ[e]);
    out.sameHash[p] = 1;
  }
  return out;
}

/** The cap's error with the threshold that would fit, from the counts of the whole search (of one call, or summed over tiles). */
export function tooManyPairs(raw: Pick<RawPairs, 'qualifying' | 'crossHistogram'>, threshold: number, maxPairs: number): TooManyPairsError {
  const bins = raw.crossHistogram;
  let cross = 0;
  for (let b = 0; b < bins.length; b++) cross += bins[b];
  const others = raw.qualifying - cross;
  // Walk thresholds upwards from the requested one, dropping the bins below each.
  let remaining = cross;
  for (let b = 0; b < bins.length; b++) {
    const candidate = (b - 100) / 100;
    if (candidate > threshold && remaining + others <= maxPairs) {
      return new TooManyPairsError(threshold, maxPairs, raw.qualifying, candidate, remaining + others);
    }
    remaining -= bins[b];
  }
  return new TooManyPairsError(threshold, maxPairs, raw.qualifying, null, null);
}
