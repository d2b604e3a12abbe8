import { hash } from 'node:crypto';
import { badRequest, conflict, notFound } from '@/lib/errors';
import type { SessionUser } from '@/lib/auth/guard';
import { candidatesRepository, toPairItem } from '@/lib/repositories/candidates';
import { decisionsRepository, type DecisionRecord, type DecisionRequest, type Subject } from '@/lib/repositories/decisions';
import { identitiesRepository } from '@/lib/repositories/identities';
import { searchRunsRepository } from '@/lib/repositories/search-runs';
import type { IdentityPairDecisionInput, OutlierDecisionInput, PairDecisionInput } from '@/lib/schemas/candidates';
import type { DecisionView, PairDetail, ReviewProgress } from '@/lib/schemas/responses';
import { checkAgainstPropagation, resolvedBy, settleVerdict } from '@/lib/services/review';

/** md5 of "lower:higher" content hash; the one-shot hash matters, it runs for every pair a search writes. */
export const pairKeyOf = (hashA: string, hashB: string) => hash('md5', hashA < hashB ? `${hashA}:${hashB}` : `${hashB}:${hashA}`);
export const identityPairKeyOf = (nameA: string, nameB: string) => [nameA, nameB].sort().join('\n');
export const outlierKeyOf = (identity: string, contentHash: string) => `${identity}\n${contentHash}`;

/** What the API answers for a decision: no internal keys, names instead of ids. */
export function publicDecision(d: DecisionRecord): DecisionView {
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

/**
 * Records a decision and turns what became of it into the API's answers: 404, 400 or 409 (also
 * when another verdict already settled this candidate otherwise); then what it explains follows it.
 */
async function decide<S extends Subject>(request: DecisionRequest<S>, missing: string, refusal = '') {
  let id = request.id;
  let row = await checkAgainstPropagation(request.subject, id, request.verdict);
  // An id of the previous search run: the decision goes to the same subject (content pair, person
  // pair, image in its folder) in the current run when it is there. Ids are never reused, so an old
  // id can only lead to its own subject.
  const successor = row ? null : await searchRunsRepository.successorOf(request.subject, id);
  if (successor !== null) {
    id = successor;
    row = await checkAgainstPropagation(request.subject, id, request.verdict);
  }
  const outcome = await decisionsRepository.decide({ ...request, id });
  if (outcome.kind === 'missing') throw notFound(missing);
  if (outcome.kind === 'refused') throw badRequest(refusal);
  if (outcome.kind === 'conflict') {
    const current = outcome.current ? publicDecision(outcome.current) : null;
    throw conflict(
      current
        ? `${current.decidedBy} decided this as "${current.verdict}" meanwhile (decision ${current.id}); reload and decide again if you still disagree`
        : 'this has no decision yet; send the request without basedOn',
      { current },
    );
  }
  if (row) await settleVerdict(request.subject, row, outcome.decision);
  return publicDecision(outcome.decision);
}

/**
 * A pair by id; for an id of the previous search run, the current row of the same content pair
 * (its own, current id in the answer), so a bookmark keeps showing the pair it was made for.
 */
export async function getPair(id: number): Promise<PairDetail> {
  let row = await candidatesRepository.pairRow(id);
  if (!row) {
    const successor = await searchRunsRepository.successorOf('pair', id);
    if (successor !== null) row = await candidatesRepository.pairRow(successor);
  }
  if (!row) throw notFound(`no pair ${id}`);
  const history = await decisionsRepository.history('pair', row.pairKey);
  return { ...toPairItem(row), decisions: history.map(publicDecision), resolvedBy: await resolvedBy('pair', row.pairKey) };
}

/**
 * A pair verdict names images by content, never by position: "a is misfiled" is stored as the
 * hash of a, so the verdict still means the same image when a rescan finds the pair again in
 * another order or under another name.
 */
export async function decidePair(user: SessionUser, id: number, input: PairDecisionInput) {
  const fields: DecisionRequest<'pair'>['fields'] = {};
  let refusal: string | undefined;
  if (input.verdict === 'mislabeled' && input.side === 'merge') {
    Object.assign(fields, { fromIdentity: { column: 'identityA' }, toIdentity: { column: 'identityB' } });
    refusal = 'both images are in the same folder: there is nothing to merge';
  } else if (input.verdict === 'mislabeled') {
    const [misfiled, other] = input.side === 'a' ? (['A', 'B'] as const) : (['B', 'A'] as const);
    Object.assign(fields, {
      misfiledHash: { column: `hash${misfiled}` },
      fromIdentity: { column: `identity${misfiled}` },
      toIdentity: { column: `identity${other}` },
    });
    refusal = 'both images are in the same folder: say which folder is right on the outliers page';
  } else if (input.verdict === 'duplicate') {
    const [keep, drop] = input.keep === 'a' ? (['A', 'B'] as const) : (['B', 'A'] as const);
    Object.assign(fields, { keepHash: { column: `hash${keep}` }, dropHash: { column: `hash${drop}` } });
  }
  return decide(
    {
      subject: 'pair',
      id,
      verdict: input.verdict,
      side: input.side ?? input.keep ?? null,
      fields,
      refuseWhenEqual: refusal ? [{ column: 'identityA' }, { column: 'identityB' }] : undefined,
      userId: user.id,
      basedOn: input.basedOn ?? null,
    },
    `no pair ${id}`,
    refusal,
  );
}

export async function getIdentityPair(id: number) {
  let pair = await candidatesRepository.identityPair(id);
  if (!pair) {
    const successor = await searchRunsRepository.successorOf('identity_pair', id);
    if (successor !== null) pair = await candidatesRepository.identityPair(successor);
  }
  if (!pair) throw notFound(`no identity pair ${id}`);
  const history = await decisionsRepository.history('identity_pair', pair.pairKey);
  return { pair, decisions: history.map(publicDecision), resolvedBy: await resolvedBy('identity_pair', pair.pairKey) };
}

export async function decideIdentityPair(user: SessionUser, id: number, input: IdentityPairDecisionInput) {
  const same = input.verdict === 'same';
  return decide(
    {
      subject: 'identity_pair',
      id,
      verdict: input.verdict,
      side: input.into ?? null,
      fields: {
        fromIdentity: same ? { column: 'nameA' } : undefined,
        toIdentity: same ? { column: 'nameB' } : undefined,
        intoIdentity: input.into ? { column: input.into === 'a' ? 'nameA' : 'nameB' } : undefined,
      },
      userId: user.id,
      basedOn: input.basedOn ?? null,
    },
    `no identity pair ${id}`,
  );
}

export async function decideOutlier(user: SessionUser, id: number, input: OutlierDecisionInput) {
  if (input.toIdentity) {
    const person = await identitiesRepository.byName(input.toIdentity);
    if (!person || person.gone) throw badRequest(`there is no person folder named "${input.toIdentity}"`);
  }
  const mislabeled = input.verdict === 'mislabeled';
  return decide(
    {
      subject: 'outlier',
      id,
      verdict: input.verdict,
      side: null,
      fields: {
        misfiledHash: mislabeled ? { column: 'hash' } : undefined,
        fromIdentity: mislabeled ? { column: 'identity' } : undefined,
        toIdentity: mislabeled ? { value: input.toIdentity ?? null } : undefined,
      },
      refuseWhenEqual: input.toIdentity ? [{ column: 'identity' }, { value: input.toIdentity }] : undefined,
      userId: user.id,
      basedOn: input.basedOn ?? null,
    },
    `no outlier ${id}`,
    'toIdentity is the folder the image is already in',
  );
}

export async function reviewProgress(): Promise<ReviewProgress> {
  const counts = await candidatesRepository.pairStatusCounts();
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0);
  return {
    pairs: { total, open: counts.open ?? 0, mislabeled: counts.mislabeled ?? 0, duplicate: counts.duplicate ?? 0, fine: counts.fine ?? 0 },
    reviewers: (await decisionsRepository.reviewSummary()).map(({ last, ...reviewer }) => ({ ...reviewer, last: last.toISOString() })),
  };
}
