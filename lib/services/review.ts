import type pg from 'pg';
import { badRequest, conflict, notFound } from '@/lib/errors';
import type { SessionUser } from '@/lib/auth/guard';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { decisionsRepository, type DecisionRecord, type Subject } from '@/lib/repositories/decisions';
import { reviewRepository, type Scope, type ScopeRows } from '@/lib/repositories/review';
import type { IdentityPairDecisionInput, OutlierDecisionInput, PairDecisionInput } from '@/lib/schemas/candidates';
import { REMAINING_CAP, type ReviewEntry, type ReviewNext, type ReviewPreview, type ResolvedBy } from '@/lib/schemas/review';
import {
  effectiveStatus,
  findFindings,
  imageKey,
  propagate,
  scopeClosure,
  VerdictModel,
  type Derived,
  type ReviewInput,
  type Verdict,
} from '@/lib/similarity/review';
import { publicDecision } from '@/lib/services/decisions';

function inputOf(rows: ScopeRows, verdicts: Verdict[]): ReviewInput {
  return { pairs: rows.pairs, images: new Map(rows.images.map((i) => [imageKey(i.folder, i.hash), i])), folderPairs: rows.folderPairs, verdicts };
}

/** A scope's rows; near-duplicate groups reaching other folders pull those in, so a group is read whole. */
async function loadScope(scope: Scope, db?: pg.PoolClient): Promise<{ scope: Scope; rows: ScopeRows }> {
  const rows = await reviewRepository.load(scope, db);
  if (scope.all) return { scope, rows };
  const reached = new Set(scope.folders);
  for (const p of rows.pairs) if (p.kind === 'near_duplicate') reached.add(p.folderA).add(p.folderB);
  if (reached.size === scope.folders.length) return { scope, rows };
  const wider: Scope = { all: false, folders: [...reached].sort() };
  return { scope: wider, rows: await reviewRepository.load(wider, db) };
}

/**
 * Rebuilds the derived verdicts and findings of the candidates touching `folders` (all candidates
 * when none are given) from the standing verdicts: what a verdict, its undoing and a search do.
 */
export async function rebuildReview(folders?: string[]): Promise<void> {
  const first = folders ? { all: false as const, folders: scopeClosure(await reviewRepository.standingVerdicts(), folders) } : { all: true as const };
  // everything on the locked transaction's own connection: waiting for a second one while holding
  // the first would starve the pool when every connection is a rebuild
  await reviewRepository.locked(first, async (client) => {
    const verdicts = await reviewRepository.standingVerdicts(client);
    const { scope, rows } = await loadScope(first.all ? first : { all: false, folders: scopeClosure(verdicts, first.folders) }, client);
    const folderSet = scope.all ? null : new Set(scope.folders);
    const model = new VerdictModel(verdicts);
    const input = inputOf(rows, verdicts);
    const derived = propagate(input, model);
    const findings = findFindings(input, effectiveStatus(derived), model).filter((f) => !folderSet || f.folders.some((x) => folderSet.has(x)));
    await reviewRepository.store(client, scope, rows, derived, findings);
  });
  openCount = null;
}

/** The folders a decided row is about, and those its latest two verdicts named (a move's target, say). */
function foldersNamed(
  folders: string[],
  verdicts: ({ fromIdentity: string | null; toIdentity: string | null; intoIdentity: string | null } | undefined)[],
): string[] {
  const named = verdicts.flatMap((d) => (d ? [d.fromIdentity, d.toIdentity, d.intoIdentity] : []));
  return [...new Set([...folders, ...named.filter((f): f is string => !!f)])];
}

/**
 * Refuses a verdict that contradicts what another verdict already settled for this candidate
 * (e.g. "fine" on a pair whose image was moved): 409 with the verdict it contradicts.
 */
export async function checkAgainstPropagation(subject: Subject, id: number, verdict: string): Promise<DecidedRow | null> {
  const row = await reviewRepository.derivedOf(subject, id);
  if (!row) return null;
  if (row.derived && verdict !== 'open' && verdict !== row.derived.verdict) {
    const source = await decisionsRepository.byId(row.derived.sourceId);
    throw conflict(`${row.derived.reason}; this is "${row.derived.verdict}" by that verdict: change that verdict first if it is wrong`, {
      current: source ? publicDecision(source) : null,
      derived: { verdict: row.derived.verdict, reason: row.derived.reason },
    });
  }
  return row;
}

const DEADLOCK = '40P01';

async function rebuildFolders(folders: string[]): Promise<void> {
  try {
    await rebuildReview(folders);
  } catch (error) {
    // two rebuilds of disjoint folders share the pairs between them, and may meet there
    if ((error as { code?: string }).code !== DEADLOCK) throw error;
    await rebuildReview(folders);
  }
}

/**
 * Folders whose findings wait for a rebuild in this process, and the one rebuild draining them:
 * however many verdicts arrive meanwhile, they cost one rebuild of the folders they touched.
 */
const pendingFolders = new Set<string>();
let draining: Promise<void> | null = null;

function rebuildSoon(folders: string[]): void {
  for (const folder of folders) pendingFolders.add(folder);
  draining ??= (async () => {
    while (pendingFolders.size > 0) {
      const batch = [...pendingFolders];
      pendingFolders.clear();
      await rebuildFolders(batch).catch((error: Error) => console.error(`review: rebuilding the findings of ${batch.length} folders failed: ${error.message}`));
    }
  })().finally(() => {
    draining = null;
    if (pendingFolders.size > 0) rebuildSoon([]);
  });
}

/** Waits until the findings of every verdict this process recorded are rebuilt. */
async function findingsSettled(): Promise<void> {
  while (draining) await draining;
}

/**
 * Open findings, as the queue shows them ("412 findings open"): counted at most once a second in a
 * process and again after each of its rebuilds, rather than on every request.
 */
let openCount: { n: number; at: number } | null = null;
async function openFindings(): Promise<number> {
  if (openCount && Date.now() - openCount.at < 1_000) return openCount.n;
  const at = Date.now();
  const n = await reviewRepository.openFindings(REMAINING_CAP);
  openCount = { n, at };
  return n;
}

/** The top two open entries as stored; short of two while rebuilds are pending, those that will be stored. */
async function topEntries() {
  const entries = await reviewRepository.topEntries(2);
  if (entries.length === 2 || !draining) return entries;
  await findingsSettled();
  return reviewRepository.topEntries(2);
}

/** What a decision needs to know of the row it decides: its subject, its folders, and whether a finding names it. */
export interface DecidedRow {
  key: string;
  folders: string[];
  named: boolean;
}

/**
 * After a verdict: the candidates it explains (and those its previous verdict explained) follow it.
 * A first verdict "fine" on a pair explains nothing else, so nothing derived changes. Of the
 * queue's findings it changes only one that names this pair (its next evidence takes its place),
 * rebuilt after the answer; other findings it was evidence for only count one pair less until
 * their folders are next rebuilt, which the queue can live with: it never serves a decided pair.
 */
export async function settleVerdict(subject: Subject, row: DecidedRow, decision: DecisionRecord): Promise<void> {
  // the verdict replaced is read only when there is one: a first verdict costs no query here
  const previous = decision.previousId === null ? null : await decisionsRepository.byId(decision.previousId);
  const folders = foldersNamed(row.folders, [decision, previous ?? undefined]);
  const explainsNothing = subject === 'pair' && decision.verdict === 'fine' && (!previous || previous.verdict === 'open' || previous.verdict === 'fine');
  if (!explainsNothing) await rebuildFolders(folders);
  else if (row.named) rebuildSoon(folders);
}

/**
 * The open candidate most worth a curator's next verdict: the top finding's, or nothing when none
 * is left. `upcoming` is the one after it, as things stand, for the page to load ahead.
 */
export async function reviewNext(): Promise<ReviewNext> {
  // a rebuild still running only moves a finding's evidence on to its next pair: the queue answers
  // from what is stored, and waits only when that leaves it nothing to offer
  const [entries, remaining] = await Promise.all([topEntries(), openFindings()]);
  const [first, upcoming] = entries.map(
    (entry) =>
      ({
        type: entry.subject,
        item: entry.item,
        finding: { kind: entry.kind, folders: entry.folders, evidence: entry.evidence, detail: entry.detail },
      }) as ReviewEntry,
  );
  if (!first) return { type: null, item: null, finding: null, remaining, upcoming: null };
  return { ...first, remaining, upcoming: upcoming ?? null } as ReviewNext;
}

/** The verdict a request would record, in the form the standing verdicts take, without recording it. */
async function hypothetical(
  user: SessionUser,
  subject: Subject,
  id: number,
  body: PairDecisionInput | IdentityPairDecisionInput | OutlierDecisionInput,
): Promise<Verdict & { folders: string[] }> {
  const base = {
    id: -1,
    subject,
    verdict: body.verdict,
    side: null,
    misfiledHash: null,
    fromIdentity: null,
    toIdentity: null,
    keepHash: null,
    dropHash: null,
    decidedBy: user.name,
  };
  if (subject === 'pair') {
    const row = await candidatesRepository.pairRow(id);
    if (!row) throw notFound(`no pair ${id}`);
    const input = body as PairDecisionInput;
    const folders = [row.identityA, row.identityB];
    if (input.verdict === 'mislabeled' && input.side === 'merge')
      return { ...base, subjectKey: row.pairKey, side: 'merge', fromIdentity: row.identityA, toIdentity: row.identityB, folders };
    if (input.verdict === 'mislabeled') {
      const a = input.side === 'a';
      return {
        ...base,
        subjectKey: row.pairKey,
        side: input.side!,
        misfiledHash: a ? row.hashA : row.hashB,
        fromIdentity: a ? row.identityA : row.identityB,
        toIdentity: a ? row.identityB : row.identityA,
        folders,
      };
    }
    return { ...base, subjectKey: row.pairKey, side: input.verdict === 'duplicate' ? (input.keep ?? null) : null, folders };
  }
  if (subject === 'identity_pair') {
    const row = await candidatesRepository.identityPair(id);
    if (!row) throw notFound(`no identity pair ${id}`);
    const same = body.verdict === 'same';
    return { ...base, subjectKey: row.pairKey, fromIdentity: same ? row.nameA : null, toIdentity: same ? row.nameB : null, folders: [row.nameA, row.nameB] };
  }
  const row = await candidatesRepository.outlier(id);
  if (!row) throw notFound(`no outlier ${id}`);
  const input = body as OutlierDecisionInput;
  const mislabeled = input.verdict === 'mislabeled';
  const folders = [row.identity, ...(input.toIdentity ? [input.toIdentity] : [])];
  return {
    ...base,
    subjectKey: row.subjectKey,
    misfiledHash: mislabeled ? row.contentHash : null,
    fromIdentity: mislabeled ? row.identity : null,
    toIdentity: mislabeled ? (input.toIdentity ?? null) : null,
    folders,
  };
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** What else a verdict would resolve, before it is given: "and 1,932 pairs between these folders". */
export async function previewVerdict(
  user: SessionUser,
  subject: Subject,
  id: number,
  body: PairDecisionInput | IdentityPairDecisionInput | OutlierDecisionInput,
): Promise<ReviewPreview> {
  if (body.verdict === 'open') throw badRequest('reopening resolves nothing: preview a verdict');
  const verdict = await hypothetical(user, subject, id, body);
  const standing = (await reviewRepository.standingVerdicts()).filter((v) => !(v.subject === subject && v.subjectKey === verdict.subjectKey));
  const withIt = [...standing, verdict];
  const { rows } = await loadScope({ all: false, folders: scopeClosure(withIt, verdict.folders) });
  const before = effectiveStatus(propagate(inputOf(rows, standing)));
  const derived: Derived[] = propagate(inputOf(rows, withIt));
  const resolves = { pairs: 0, identityPairs: 0, outliers: 0 };
  const own = new Map<string, string>();
  for (const p of rows.pairs) own.set(`pair\n${p.key}`, p.own);
  for (const fp of rows.folderPairs) own.set(`identity_pair\n${fp.key}`, fp.own);
  for (const i of rows.images) own.set(`outlier\n${imageKey(i.folder, i.hash)}`, i.own);
  const counted = new Set<string>();
  for (const d of derived) {
    const id = `${d.subject}\n${d.subjectKey}`;
    if (d.sourceId !== -1 || d.subjectKey === verdict.subjectKey || counted.has(id)) continue;
    if (before(d.subject, d.subjectKey, own.get(id) ?? 'open') !== 'open') continue;
    counted.add(id);
    if (d.subject === 'pair') resolves.pairs += rows.pairs.filter((p) => p.key === d.subjectKey && p.own === 'open').length;
    else if (d.subject === 'identity_pair') resolves.identityPairs++;
    else resolves.outliers++;
  }
  const parts = [
    resolves.pairs ? plural(resolves.pairs, 'pair', 'pairs') : null,
    resolves.identityPairs ? plural(resolves.identityPairs, 'merge suggestion', 'merge suggestions') : null,
    resolves.outliers ? plural(resolves.outliers, 'outlier', 'outliers') : null,
  ].filter(Boolean);
  const where = verdict.folders.length > 1 && verdict.folders[0] !== verdict.folders[1] ? ` between ${verdict.folders[0]} and ${verdict.folders[1]}` : '';
  return {
    resolves,
    summary: parts.length ? `and ${parts.join(', ')}${resolves.pairs && !resolves.identityPairs && !resolves.outliers ? where : ''}` : 'and nothing else',
  };
}

/** The derived verdict a candidate has, with the verdict it comes from: what the detail pages show. */
export async function resolvedBy(subject: Subject, subjectKey: string): Promise<ResolvedBy | null> {
  const derived = await reviewRepository.derivedByKey(subject, subjectKey);
  if (!derived) return null;
  const source = await decisionsRepository.byId(derived.sourceId);
  return { verdict: derived.verdict, reason: derived.reason, decision: source ? publicDecision(source) : null };
}
