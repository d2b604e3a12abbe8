import { hash } from 'node:crypto';
import { conflict, notFound } from '@/lib/errors';
import type { SessionUser } from '@/lib/auth/guard';
import { candidatesRepository, toPairItem } from '@/lib/repositories/candidates';
import { decisionsRepository, type DecisionRecord, type NewDecision } from '@/lib/repositories/decisions';
import type { IdentityPairDecisionInput, OutlierDecisionInput, PairDecisionInput } from '@/lib/schemas/candidates';
import { badRequest } from '@/lib/errors';
import { getPool } from '@/lib/db';

/** md5 of "lower:higher" content hash; the one-shot hash matters, it runs for every pair a search writes. */
export const pairKeyOf = (hashA: string, hashB: string) => hash('md5', hashA < hashB ? `${hashA}:${hashB}` : `${hashB}:${hashA}`);
export const identityPairKeyOf = (nameA: string, nameB: string) => [nameA, nameB].sort().join('\n');
export const outlierKeyOf = (identity: string, contentHash: string) => `${identity}\n${contentHash}`;

/** What the API answers for a decision: no internal keys, names instead of ids. */
export function publicDecision(d: DecisionRecord) {
  return {
    id: d.id,
    verdict: d.verdict,
    previousVerdict: d.previousVerdict,
    side: d.side,
    misfiledHash: d.misfiledHash,
    keepHash: d.keepHash,
    dropHash: d.dropHash,
    fromIdentity: d.fromIdentity,
    toIdentity: d.toIdentity,
    intoIdentity: d.intoIdentity,
    decidedBy: d.userName,
    decidedAt: d.createdAt.toISOString(),
  };
}

async function append(decision: NewDecision, basedOn: number | undefined) {
  const result = await decisionsRepository.append(decision, basedOn ?? null);
  if (!result.ok) {
    const current = result.current ? publicDecision(result.current) : null;
    throw conflict(
      current
        ? `${current.decidedBy} decided this as "${current.verdict}" meanwhile (decision ${current.id}); reload and decide again if you still disagree`
        : 'this has no decision yet; send the request without basedOn',
      { current },
    );
  }
  return publicDecision(result.decision);
}

export async function getPair(id: number) {
  const row = await candidatesRepository.pairRow(id);
  if (!row) throw notFound(`no pair ${id}`);
  const history = await decisionsRepository.history('pair', row.pairKey);
  return { ...toPairItem(row), decisions: history.map(publicDecision) };
}

/**
 * A pair verdict names images by content, never by position: "a is misfiled" is stored as the
 * hash of a, so the verdict still means the same image when a rescan finds the pair again in
 * another order or under another name.
 */
export async function decidePair(user: SessionUser, id: number, input: PairDecisionInput) {
  const row = await candidatesRepository.pairRow(id);
  if (!row) throw notFound(`no pair ${id}`);
  const sides = { a: { hash: row.hashA, identity: row.identityA }, b: { hash: row.hashB, identity: row.identityB } };
  const decision: NewDecision = {
    subject: 'pair',
    subjectKey: row.pairKey,
    verdict: input.verdict,
    side: input.side ?? input.keep ?? null,
    misfiledHash: null,
    keepHash: null,
    dropHash: null,
    fromIdentity: null,
    toIdentity: null,
    intoIdentity: null,
    userId: user.id,
  };
  if (input.verdict === 'mislabeled' && input.side === 'merge') {
    if (row.identityA === row.identityB) throw badRequest('both images are in the same folder: there is nothing to merge');
    Object.assign(decision, { fromIdentity: row.identityA, toIdentity: row.identityB });
  } else if (input.verdict === 'mislabeled') {
    const [misfiled, other] = input.side === 'a' ? [sides.a, sides.b] : [sides.b, sides.a];
    if (misfiled.identity === other.identity) throw badRequest('both images are in the same folder: say which folder is right on the outliers page');
    Object.assign(decision, { misfiledHash: misfiled.hash, fromIdentity: misfiled.identity, toIdentity: other.identity });
  } else if (input.verdict === 'duplicate') {
    const [keep, drop] = input.keep === 'a' ? [sides.a, sides.b] : [sides.b, sides.a];
    Object.assign(decision, { keepHash: keep.hash, dropHash: drop.hash });
  }
  return append(decision, input.basedOn);
}

export async function getIdentityPair(id: number) {
  const pair = await candidatesRepository.identityPair(id);
  if (!pair) throw notFound(`no identity pair ${id}`);
  const history = await decisionsRepository.history('identity_pair', pair.pairKey);
  return { pair, decisions: history.map(publicDecision) };
}

export async function decideIdentityPair(user: SessionUser, id: number, input: IdentityPairDecisionInput) {
  const pair = await candidatesRepository.identityPair(id);
  if (!pair) throw notFound(`no identity pair ${id}`);
  return append(
    {
      subject: 'identity_pair',
      subjectKey: pair.pairKey,
      verdict: input.verdict,
      side: input.into ?? null,
      misfiledHash: null,
      keepHash: null,
      dropHash: null,
      fromIdentity: input.verdict === 'same' ? pair.nameA : null,
      toIdentity: input.verdict === 'same' ? pair.nameB : null,
      intoIdentity: input.into ? (input.into === 'a' ? pair.nameA : pair.nameB) : null,
      userId: user.id,
    },
    input.basedOn,
  );
}

export async function decideOutlier(user: SessionUser, id: number, input: OutlierDecisionInput) {
  const outlier = await candidatesRepository.outlier(id);
  if (!outlier) throw notFound(`no outlier ${id}`);
  if (input.toIdentity) {
    const { rowCount } = await getPool().query(`SELECT 1 FROM "Identity" WHERE name = $1 AND "goneAt" IS NULL`, [input.toIdentity]);
    if (!rowCount) throw badRequest(`there is no person folder named "${input.toIdentity}"`);
    if (input.toIdentity === outlier.identity) throw badRequest('toIdentity is the folder the image is already in');
  }
  return append(
    {
      subject: 'outlier',
      subjectKey: outlier.subjectKey,
      verdict: input.verdict,
      side: null,
      misfiledHash: input.verdict === 'mislabeled' ? outlier.contentHash : null,
      keepHash: null,
      dropHash: null,
      fromIdentity: input.verdict === 'mislabeled' ? outlier.identity : null,
      toIdentity: input.verdict === 'mislabeled' ? (input.toIdentity ?? null) : null,
      intoIdentity: null,
      userId: user.id,
    },
    input.basedOn,
  );
}

export async function reviewProgress() {
  const counts = await candidatesRepository.pairStatusCounts();
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return { pairs: { total, open: counts.open ?? 0, mislabeled: counts.mislabeled ?? 0, duplicate: counts.duplicate ?? 0, fine: counts.fine ?? 0 }, reviewers: await decisionsRepository.reviewSummary() };
}
