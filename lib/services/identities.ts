import { notFound } from '@/lib/errors';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { decisionsRepository } from '@/lib/repositories/decisions';
import { identitiesRepository } from '@/lib/repositories/identities';
import type { IdentityRecord, IdentityWithImages, MergeSuggestion, OutlierCard, OutlierItem } from '@/lib/schemas/responses';
import { getIdentityPair, publicDecision } from '@/lib/services/decisions';

export const STRONGEST_PAIRS = 8;
/** Enough faces of each folder to judge a merge by; the person's page has the rest. */
export const MERGE_GALLERY = 48;
export const OUTLIER_STRIP = 5;

/** A person with their images; `limit` keeps a context strip small in a folder of thousands. */
export async function getIdentity(ref: { id: number } | { name: string }, limit?: number): Promise<IdentityWithImages> {
  const identity = 'id' in ref ? await identitiesRepository.byId(ref.id) : await identitiesRepository.byName(ref.name);
  if (!identity) throw notFound('id' in ref ? `no person ${ref.id}` : `no person folder named "${ref.name}"`);
  return { ...identity, images: await identitiesRepository.images(identity.id, limit) };
}

/** People whose folder name starts with `prefix` (case-insensitive), for pickers and the people page. */
export const searchIdentities = (prefix: string, limit: number): Promise<IdentityRecord[]> => identitiesRepository.search(prefix, limit);

/** A merge suggestion with everything a curator weighs: both galleries and the most similar pairs. */
export async function getMergeSuggestion(id: number): Promise<MergeSuggestion> {
  const { pair, decisions } = await getIdentityPair(id);
  const [a, b, strongest] = await Promise.all([
    getIdentity({ id: pair.identityAId }, MERGE_GALLERY),
    getIdentity({ id: pair.identityBId }, MERGE_GALLERY),
    identitiesRepository.strongestPairs(pair.identityAId, pair.identityBId, STRONGEST_PAIRS),
  ]);
  return {
    id: pair.id as number,
    status: pair.status as string,
    evidence: {
      centroidSimilarity: pair.centroidSimilarity as number,
      pairCount: pair.pairCount as number,
      maxSimilarity: pair.maxSimilarity as number,
      meanSimilarity: pair.meanSimilarity as number,
      score: pair.score as number,
    },
    a,
    b,
    strongest,
    decisions,
  };
}

/**
 * Outliers as the outliers page shows them: each with its history (to undo or decide again) and a
 * few faces of its own folder and of the person it looks most like, to compare at a glance.
 */
export async function outlierCards(items: OutlierItem[]): Promise<OutlierCard[]> {
  const names = items.flatMap((item) => (item.nearestIdentity ? [item.identity, item.nearestIdentity] : [item.identity]));
  const [samples, rows] = await Promise.all([
    identitiesRepository.samples(names, OUTLIER_STRIP + 1),
    Promise.all(items.map((item) => candidatesRepository.outlier(item.id))),
  ]);
  const histories = await Promise.all(rows.map((row) => decisionsRepository.history('outlier', row.subjectKey)));
  return items.map((item, at) => ({
    ...item,
    hash: rows[at].contentHash as string,
    identityId: rows[at].identityId as number,
    nearestIdentityId: rows[at].nearestIdentityId as number | null,
    decisions: histories[at].map(publicDecision),
    own: (samples.get(item.identity) ?? []).filter((thumb) => thumb.id !== item.imageId).slice(0, OUTLIER_STRIP),
    nearest: item.nearestIdentity ? (samples.get(item.nearestIdentity) ?? []).slice(0, OUTLIER_STRIP) : [],
  }));
}
