/**
 * The review queue's rules, as pure functions of candidates and verdicts, named by folder names and
 * content hashes only (never row ids), so the same verdicts give the same result after a rescan.
 *
 * - findings: what a curator fixes (a split person, a misfiled image, a duplicate group, a look-alike
 *   folder pair, or pairs that stand out after "different"), each with the one candidate to decide;
 * - propagation: what the standing verdicts explain, as derived verdicts that name the verdict they
 *   come from.
 */

export type ReviewSubject = 'pair' | 'identity_pair' | 'outlier';

export interface EvidencePair {
  /** the pair's subject key (content-hash pair key) */
  key: string;
  kind: 'cross_identity' | 'near_duplicate';
  folderA: string;
  hashA: string;
  pathA: string;
  folderB: string;
  hashB: string;
  pathB: string;
  similarity: number;
  /** the curator's own latest verdict on this pair ('open' when none) */
  own: string;
}

export interface ImageStanding {
  folder: string;
  hash: string;
  path: string;
  /** cosine to the rest of its folder */
  score: number;
  nearestFolder: string | null;
  nearestSimilarity: number | null;
  flagged: boolean;
  own: string;
}

export interface FolderPair {
  /** identity pair key: the two names, sorted, joined by a newline */
  key: string;
  a: string;
  b: string;
  centroidSimilarity: number;
  own: string;
}

/** A curator's standing verdict (the latest of its subject, not open), as decisions record it. */
export interface Verdict {
  id: number;
  subject: ReviewSubject;
  subjectKey: string;
  verdict: string;
  side: string | null;
  misfiledHash: string | null;
  fromIdentity: string | null;
  toIdentity: string | null;
  keepHash: string | null;
  dropHash: string | null;
  decidedBy: string;
}

export interface Derived {
  subject: ReviewSubject;
  subjectKey: string;
  verdict: string;
  sourceId: number;
  reason: string;
}

export type FindingKind = 'split' | 'misfiled' | 'duplicate' | 'standout' | 'lookalike';

export interface Finding {
  kind: FindingKind;
  /** stable across rescans: made of names and hashes */
  key: string;
  /** higher first: what one verdict is expected to fix */
  priority: number;
  /** the candidate to decide */
  subject: ReviewSubject;
  subjectKey: string;
  /** folders it is about (the first is where it sits) */
  folders: string[];
  /** open candidates one verdict on it would settle, besides the one decided */
  evidence: number;
  detail: Record<string, unknown>;
}

/** Centroids of two folders of one person sit near 0.9; two look-alike people stay well below. */
export const SPLIT_CENTROID = 0.7;
/**
 * An image at most this much less like its own folder than like another is closer to that folder
 * than its folder-mates are: a misfiled image, or a pair that stands out between look-alikes.
 */
export const CLOSER_ELSEWHERE_MARGIN = 0.05;

export const imageKey = (folder: string, hash: string) => `${folder}\n${hash}`;
export const folderPairKey = (a: string, b: string) => [a, b].sort().join('\n');

/**
 * Closer to another folder than to its own (or not like its own at all). The other folder may not
 * be the same person's (`samePerson`): in a person split over two folders every image is about as
 * close to either, and the split is one finding, not one per image.
 */
export function closerElsewhere(image: ImageStanding, samePerson: (a: string, b: string) => boolean): boolean {
  if (image.flagged) return true;
  if (image.nearestFolder === null || image.nearestSimilarity === null || samePerson(image.folder, image.nearestFolder)) return false;
  return image.nearestSimilarity >= image.score - CLOSER_ELSEWHERE_MARGIN;
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = next;
    }
    return root;
  }
  union(a: string, b: string) {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

const NOBODY = '\u0000someone else';

/** Two folder names in the order lists show them. */
const both = (a: string, b: string) => (a < b ? `${a} and ${b}` : `${b} and ${a}`);

/** What the standing verdicts say about people, images and copies. */
export class VerdictModel {
  private persons = new UnionFind();
  private sameBy = new Map<string, Verdict>();
  private moves = new Map<string, Verdict>();
  private differentBy = new Map<string, Verdict>();
  private differentRaw: Verdict[] = [];
  readonly duplicateVerdicts: Verdict[] = [];
  /** images a curator confirmed belong in their folder */
  private confirmed = new Set<string>();

  constructor(verdicts: Verdict[]) {
    for (const v of verdicts) {
      if (v.subject === 'identity_pair' && v.verdict === 'same' && v.fromIdentity && v.toIdentity) this.merge(v.fromIdentity, v.toIdentity, v);
      else if (v.subject === 'pair' && v.verdict === 'mislabeled' && v.side === 'merge' && v.fromIdentity && v.toIdentity)
        this.merge(v.fromIdentity, v.toIdentity, v);
      else if (v.verdict === 'mislabeled' && v.misfiledHash && v.fromIdentity) this.moves.set(imageKey(v.fromIdentity, v.misfiledHash), v);
      else if (v.subject === 'identity_pair' && v.verdict === 'different') this.differentRaw.push(v);
      else if (v.subject === 'pair' && v.verdict === 'duplicate') this.duplicateVerdicts.push(v);
      else if (v.subject === 'outlier' && v.verdict === 'fine') this.confirmed.add(v.subjectKey);
    }
    for (const v of this.differentRaw) {
      const [a, b] = v.subjectKey.split('\n');
      this.differentBy.set(folderPairKey(this.persons.find(a), this.persons.find(b)), v);
    }
  }

  private merge(a: string, b: string, v: Verdict) {
    this.persons.union(a, b);
    this.sameBy.set(folderPairKey(a, b), v);
  }

  person(folder: string): string {
    return this.persons.find(folder);
  }

  move(folder: string, hash: string): Verdict | undefined {
    return this.moves.get(imageKey(folder, hash));
  }

  /** Where an image belongs now: the folder it was moved to (NOBODY for "someone else"), else its own. */
  folderOf(folder: string, hash: string): string {
    const move = this.move(folder, hash);
    if (!move) return folder;
    return move.toIdentity ?? NOBODY;
  }

  /** The verdict that made two folders one person (the one between them, else any in their group). */
  sameVerdict(a: string, b: string): Verdict | undefined {
    const direct = this.sameBy.get(folderPairKey(a, b));
    if (direct) return direct;
    const person = this.person(a);
    for (const [key, v] of this.sameBy) if (this.person(key.split('\n')[0]) === person) return v;
    return undefined;
  }

  differentVerdict(a: string, b: string): Verdict | undefined {
    return this.differentBy.get(folderPairKey(this.person(a), this.person(b)));
  }

  isConfirmed(folder: string, hash: string): boolean {
    return this.confirmed.has(imageKey(folder, hash));
  }
}

export interface ReviewInput {
  pairs: EvidencePair[];
  /** by imageKey(folder, hash) */
  images: Map<string, ImageStanding>;
  folderPairs: FolderPair[];
  verdicts: Verdict[];
}

/** Duplicate groups: copies of one picture joined through near-duplicate pairs, by content hash. */
export function duplicateGroups(pairs: EvidencePair[]): Map<string, EvidencePair[]> {
  const copies = new UnionFind();
  for (const p of pairs) if (p.kind === 'near_duplicate') copies.union(p.hashA, p.hashB);
  const groups = new Map<string, EvidencePair[]>();
  for (const p of pairs) {
    if (p.kind !== 'near_duplicate') continue;
    const root = copies.find(p.hashA);
    const list = groups.get(root) ?? [];
    list.push(p);
    groups.set(root, list);
  }
  return groups;
}

const groupKeyOf = (group: EvidencePair[]) => [...new Set(group.flatMap((p) => [p.hashA, p.hashB]))].sort().join(',');

/**
 * The verdicts every candidate inherits from the standing verdicts (see the README's propagation
 * rules). Only candidates the curator has not decided themselves are given one.
 */
export function propagate(input: ReviewInput, model = new VerdictModel(input.verdicts)): Derived[] {
  const derived: Derived[] = [];
  const seen = new Set<string>();
  const give = (subject: ReviewSubject, subjectKey: string, verdict: string, source: Verdict, reason: string) => {
    const id = `${subject}\n${subjectKey}`;
    if (seen.has(id)) return;
    seen.add(id);
    derived.push({ subject, subjectKey, verdict, sourceId: source.id, reason: `resolved by ${source.decidedBy}: ${reason}` });
  };

  const groups = duplicateGroups(input.pairs);
  const groupOfHash = new Map<string, EvidencePair[]>();
  for (const group of groups.values()) for (const p of group) groupOfHash.set(p.hashA, group).set(p.hashB, group);
  for (const v of model.duplicateVerdicts) {
    const decided = input.pairs.find((p) => p.key === v.subjectKey);
    const group = decided && groupOfHash.get(decided.hashA);
    if (!group) continue;
    for (const p of group)
      if (p.own === 'open' && p.key !== v.subjectKey) give('pair', p.key, 'duplicate', v, `${p.pathA} and ${p.pathB} are copies of one picture`);
  }

  const standsOut = (folder: string, hash: string, otherFolder: string) => {
    if (model.move(folder, hash) || model.isConfirmed(folder, hash)) return false;
    const image = input.images.get(imageKey(folder, hash));
    if (!image) return false;
    if (image.flagged) return true;
    return (
      image.nearestFolder !== null &&
      model.person(image.nearestFolder) === model.person(otherFolder) &&
      closerElsewhere(image, (a, b) => model.person(a) === model.person(b))
    );
  };

  for (const p of input.pairs) {
    if (p.own !== 'open' || p.kind !== 'cross_identity') continue;
    const moveA = model.move(p.folderA, p.hashA);
    const moveB = model.move(p.folderB, p.hashB);
    const whereA = model.folderOf(p.folderA, p.hashA);
    const whereB = model.folderOf(p.folderB, p.hashB);
    const moved = moveA ?? moveB;
    if (moved && (whereA === NOBODY || whereB === NOBODY)) {
      const path = moveA ? p.pathA : p.pathB;
      give('pair', p.key, 'mislabeled', moved, `${path} is someone else`);
      continue;
    }
    if (model.person(whereA) === model.person(whereB)) {
      if (moved) {
        const path = moveA ? p.pathA : p.pathB;
        give('pair', p.key, 'mislabeled', moved, `${path} belongs in ${moved.toIdentity}`);
      } else {
        const same = model.sameVerdict(whereA, whereB);
        if (same) give('pair', p.key, 'mislabeled', same, `${both(whereA, whereB)} are the same person`);
      }
      continue;
    }
    const different = model.differentVerdict(whereA, whereB);
    if (different && !standsOut(p.folderA, p.hashA, whereB) && !standsOut(p.folderB, p.hashB, whereA)) {
      give('pair', p.key, 'fine', different, `${both(whereA, whereB)} are different people`);
    }
  }

  for (const fp of input.folderPairs) {
    if (fp.own !== 'open') continue;
    if (model.person(fp.a) === model.person(fp.b)) {
      const same = model.sameVerdict(fp.a, fp.b);
      if (same) give('identity_pair', fp.key, 'same', same, `${both(fp.a, fp.b)} are the same person`);
      continue;
    }
    const different = model.differentVerdict(fp.a, fp.b);
    if (different && different.subjectKey !== fp.key) give('identity_pair', fp.key, 'different', different, `${both(fp.a, fp.b)} are different people`);
  }

  for (const image of input.images.values()) {
    if (image.own !== 'open') continue;
    const move = model.move(image.folder, image.hash);
    const key = imageKey(image.folder, image.hash);
    if (move && !(move.subject === 'outlier' && move.subjectKey === key))
      give('outlier', key, 'mislabeled', move, `${image.path} belongs in ${move.toIdentity ?? 'no folder here'}`);
  }
  return derived;
}

/**
 * The findings of the candidates given their effective statuses (own, else derived, else open),
 * open ones only: a finding closes when its candidate is decided or nothing it explains is open.
 */
export function findFindings(
  input: ReviewInput,
  status: (subject: ReviewSubject, key: string, own: string) => string,
  model = new VerdictModel(input.verdicts),
): Finding[] {
  const findings: Finding[] = [];
  const open = (p: EvidencePair) => status('pair', p.key, p.own) === 'open';

  const pairsOfImage = new Map<string, EvidencePair[]>();
  for (const p of input.pairs) {
    for (const [folder, hash] of [
      [p.folderA, p.hashA],
      [p.folderB, p.hashB],
    ]) {
      const key = imageKey(folder, hash);
      const list = pairsOfImage.get(key) ?? [];
      list.push(p);
      pairsOfImage.set(key, list);
    }
  }

  // images whose open pairs an open finding of their own explains: left out of folder-pair evidence
  const centroids = new Map(input.folderPairs.map((fp) => [fp.key, fp.centroidSimilarity]));
  const samePerson = (a: string, b: string) => model.person(a) === model.person(b) || (centroids.get(folderPairKey(a, b)) ?? 0) >= SPLIT_CENTROID;
  const explained = new Set<string>();
  for (const image of input.images.values()) {
    if (!closerElsewhere(image, samePerson) || status('outlier', imageKey(image.folder, image.hash), image.own) !== 'open') continue;
    const key = imageKey(image.folder, image.hash);
    explained.add(key);
    const evidence = (pairsOfImage.get(key) ?? []).filter(open).length;
    const belongsTo = image.nearestFolder !== null && image.nearestSimilarity !== null && image.nearestSimilarity > image.score ? image.nearestFolder : null;
    findings.push({
      kind: 'misfiled',
      key,
      priority: 2 + ((image.nearestSimilarity ?? 0) - image.score),
      subject: 'outlier',
      subjectKey: key,
      folders: [image.folder],
      evidence,
      detail: { path: image.path, belongsTo, score: image.score, nearestSimilarity: image.nearestSimilarity },
    });
  }

  for (const group of duplicateGroups(input.pairs).values()) {
    const openPairs = group.filter(open).sort((x, y) => y.similarity - x.similarity || (x.key < y.key ? -1 : 1));
    if (openPairs.length === 0) continue;
    const lead = openPairs[0];
    const images = new Set(group.flatMap((p) => [imageKey(p.folderA, p.hashA), imageKey(p.folderB, p.hashB)]));
    for (const image of images) explained.add(image);
    const paths = [...new Set(group.flatMap((p) => [p.pathA, p.pathB]))].sort();
    findings.push({
      kind: 'duplicate',
      key: groupKeyOf(group),
      priority: 2 + lead.similarity,
      subject: 'pair',
      subjectKey: lead.key,
      folders: [...new Set(group.flatMap((p) => [p.folderA, p.folderB]))].sort(),
      evidence: openPairs.length - 1,
      detail: { paths, copies: paths.length },
    });
  }

  // folder pairs by where images belong now, with the pairs no image finding explains
  const byFolderPair = new Map<string, EvidencePair[]>();
  for (const p of input.pairs) {
    if (p.kind !== 'cross_identity' || !open(p)) continue;
    if (explained.has(imageKey(p.folderA, p.hashA)) || explained.has(imageKey(p.folderB, p.hashB))) continue;
    const a = model.folderOf(p.folderA, p.hashA);
    const b = model.folderOf(p.folderB, p.hashB);
    if (a === b) continue;
    const key = folderPairKey(a, b);
    const list = byFolderPair.get(key) ?? [];
    list.push(p);
    byFolderPair.set(key, list);
  }
  const folderPairs = new Map(input.folderPairs.map((fp) => [fp.key, fp]));
  for (const [key, evidence] of byFolderPair) {
    const [a, b] = key.split('\n');
    const fp = folderPairs.get(key);
    const strongest = evidence.reduce((x, y) => (y.similarity > x.similarity ? y : x));
    const fpStatus = fp ? status('identity_pair', fp.key, fp.own) : 'open';
    if (fp && fpStatus === 'open') {
      const split = fp.centroidSimilarity >= SPLIT_CENTROID;
      findings.push({
        kind: split ? 'split' : 'lookalike',
        key,
        priority: (split ? 3 : 1) + fp.centroidSimilarity,
        subject: 'identity_pair',
        subjectKey: fp.key,
        folders: [a, b],
        evidence: evidence.length,
        detail: { centroidSimilarity: fp.centroidSimilarity, pairs: evidence.length },
      });
    } else {
      // decided "different" (or never suggested), yet pairs are left: the ones that stand out
      findings.push({
        kind: 'standout',
        key,
        priority: 2.5 + strongest.similarity,
        subject: 'pair',
        subjectKey: strongest.key,
        folders: [a, b],
        evidence: evidence.length - 1,
        detail: { pairs: evidence.length },
      });
    }
  }
  return findings.sort((x, y) => y.priority - x.priority || (x.key < y.key ? -1 : 1));
}

/** Own verdict first, then the derived one, then open. */
export function effectiveStatus(derived: Derived[]): (subject: ReviewSubject, key: string, own: string) => string {
  const bySubject = new Map(derived.map((d) => [`${d.subject}\n${d.subjectKey}`, d.verdict]));
  return (subject, key, own) => (own !== 'open' ? own : (bySubject.get(`${subject}\n${key}`) ?? 'open'));
}

/**
 * The folders a rebuild must read when verdicts about `folders` change: with them, every folder
 * one person with them (merges) or trading images with them (moves), so that what propagation and
 * the findings read about a pair is all loaded.
 */
export function scopeClosure(verdicts: Verdict[], folders: string[]): string[] {
  const linked = new UnionFind();
  const all = new Set(folders);
  for (const v of verdicts) {
    const joins = (v.verdict === 'same' || v.verdict === 'mislabeled') && v.fromIdentity && v.toIdentity;
    if (!joins) continue;
    linked.union(v.fromIdentity!, v.toIdentity!);
    all.add(v.fromIdentity!).add(v.toIdentity!);
  }
  const roots = new Set(folders.map((f) => linked.find(f)));
  return [...all].filter((f) => roots.has(linked.find(f))).sort();
}
