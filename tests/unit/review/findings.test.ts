import { describe, expect, it } from 'vitest';
import {
  effectiveStatus,
  findFindings,
  folderPairKey,
  imageKey,
  propagate,
  scopeClosure,
  type EvidencePair,
  type FolderPair,
  type ImageStanding,
  type ReviewInput,
  type Verdict,
} from '@/lib/similarity/review';

const pair = (a: string, b: string, similarity = 0.6, kind: EvidencePair['kind'] = 'cross_identity'): EvidencePair => {
  const [folderA, hashA] = a.split('/');
  const [folderB, hashB] = b.split('/');
  return { key: `${hashA}:${hashB}`, kind, folderA, hashA, pathA: `${a}.png`, folderB, hashB, pathB: `${b}.png`, similarity, own: 'open' };
};

const image = (path: string, score = 0.8, nearestFolder: string | null = null, nearestSimilarity: number | null = 0.3): ImageStanding => {
  const [folder, hash] = path.split('/');
  return { folder, hash, path: `${path}.png`, score, nearestFolder, nearestSimilarity, flagged: score < 0.35, own: 'open' };
};

const folders = (a: string, b: string, centroidSimilarity: number): FolderPair => ({ key: folderPairKey(a, b), a, b, centroidSimilarity, own: 'open' });

let nextId = 1;
const verdict = (fields: Partial<Verdict> & Pick<Verdict, 'subject' | 'subjectKey' | 'verdict'>): Verdict => ({
  id: nextId++,
  side: null,
  misfiledHash: null,
  fromIdentity: null,
  toIdentity: null,
  keepHash: null,
  dropHash: null,
  decidedBy: 'alice',
  ...fields,
});

function input(pairs: EvidencePair[], images: ImageStanding[], folderPairs: FolderPair[], verdicts: Verdict[] = []): ReviewInput {
  return { pairs, images: new Map(images.map((i) => [imageKey(i.folder, i.hash), i])), folderPairs, verdicts };
}

const derivedOf = (given: ReviewInput) => new Map(propagate(given).map((d) => [`${d.subject}:${d.subjectKey}`, d]));

describe('propagation', () => {
  it('resolves the pairs between two folders judged the same person, naming the verdict in the audit text', () => {
    const same = verdict({
      subject: 'identity_pair',
      subjectKey: folderPairKey('raj', 'raj koothrappali'),
      verdict: 'same',
      fromIdentity: 'raj',
      toIdentity: 'raj koothrappali',
    });
    const pairs = [pair('raj/r1', 'raj koothrappali/k1'), pair('raj/r2', 'raj koothrappali/k1'), pair('raj/r1', 'howard/h1')];
    const derived = derivedOf(input(pairs, [], [folders('raj', 'raj koothrappali', 0.9)], [same]));
    expect(derived.get('pair:r1:k1')).toMatchObject({
      verdict: 'mislabeled',
      sourceId: same.id,
      reason: 'resolved by alice: raj and raj koothrappali are the same person',
    });
    expect(derived.get('pair:r2:k1')).toMatchObject({ verdict: 'mislabeled', sourceId: same.id });
    expect(derived.has('pair:r1:h1')).toBe(false);
  });

  it('resolves a moved image’s outlier and its pairs with its new folder, and judges its other pairs from where it now belongs', () => {
    const moved = verdict({
      subject: 'outlier',
      subjectKey: imageKey('penny', 'a3'),
      verdict: 'mislabeled',
      misfiledHash: 'a3',
      fromIdentity: 'penny',
      toIdentity: 'amy',
    });
    const different = verdict({ subject: 'identity_pair', subjectKey: folderPairKey('amy', 'bernadette'), verdict: 'different' });
    const pairs = [pair('amy/a1', 'penny/a3', 0.8), pair('bernadette/b1', 'penny/a3', 0.5), pair('howard/h1', 'penny/a3', 0.45)];
    const images = [image('penny/a3', 0.1, 'amy', 0.8), image('amy/a1'), image('bernadette/b1')];
    const derived = derivedOf(input(pairs, images, [], [moved, different]));
    expect(derived.get('outlier:penny\na3')).toBeUndefined();
    expect(derived.get('pair:a1:a3')).toMatchObject({ verdict: 'mislabeled', sourceId: moved.id, reason: 'resolved by alice: penny/a3.png belongs in amy' });
    expect(derived.get('pair:b1:a3')).toMatchObject({ verdict: 'fine', sourceId: different.id });
    expect(derived.has('pair:h1:a3')).toBe(false);
  });

  it('gives the outlier of an image moved by a pair verdict that verdict', () => {
    const moved = verdict({
      subject: 'pair',
      subjectKey: 'a1:a3',
      verdict: 'mislabeled',
      side: 'b',
      misfiledHash: 'a3',
      fromIdentity: 'penny',
      toIdentity: 'amy',
    });
    const derived = derivedOf(input([pair('amy/a1', 'penny/a3', 0.8)], [image('penny/a3', 0.1, 'amy', 0.8)], [], [moved]));
    expect(derived.get('outlier:penny\na3')).toMatchObject({ verdict: 'mislabeled', sourceId: moved.id });
  });

  it('resolves every pair of a duplicate group with one verdict', () => {
    const pairs = [
      pair('sheldon/s1', 'sheldon/s2', 0.99, 'near_duplicate'),
      pair('sheldon/s1', 'sheldon/s3', 0.98, 'near_duplicate'),
      pair('sheldon/s2', 'sheldon/s3', 0.97, 'near_duplicate'),
    ];
    const duplicate = verdict({ subject: 'pair', subjectKey: 's1:s2', verdict: 'duplicate', keepHash: 's1', dropHash: 's2' });
    pairs[0].own = 'duplicate';
    const derived = derivedOf(input(pairs, [], [], [duplicate]));
    expect([...derived.values()].map((d) => [d.subjectKey, d.verdict])).toEqual([
      ['s1:s3', 'duplicate'],
      ['s2:s3', 'duplicate'],
    ]);
  });

  it('resolves the typical pairs of two different people and leaves the one that stands out open, as a finding of its own', () => {
    const different = verdict({ subject: 'identity_pair', subjectKey: folderPairKey('leonard', 'stuart'), verdict: 'different' });
    const pairs = [pair('leonard/l1', 'stuart/s1', 0.5), pair('leonard/l2', 'stuart/s1', 0.45), pair('leonard/l9', 'stuart/s1', 0.8)];
    // l9 is as close to stuart's folder as to its own: it stands out
    const images = [
      image('leonard/l1', 0.8, 'stuart', 0.4),
      image('leonard/l2', 0.8, 'stuart', 0.35),
      image('leonard/l9', 0.5, 'stuart', 0.48),
      image('stuart/s1', 0.8, 'leonard', 0.4),
    ];
    // alike enough to be taken for a split, so l9 was no misfiled finding before the verdict
    const fp = { ...folders('leonard', 'stuart', 0.75), own: 'different' };
    const given = input(pairs, images, [fp], [different]);
    const derived = derivedOf(given);
    expect(derived.get('pair:l1:s1')).toMatchObject({ verdict: 'fine', reason: 'resolved by alice: leonard and stuart are different people' });
    expect(derived.has('pair:l2:s1')).toBe(true);
    expect(derived.has('pair:l9:s1')).toBe(false);
    const findings = findFindings(given, effectiveStatus(propagate(given)));
    expect(findings.map((f) => [f.kind, f.subject, f.subjectKey])).toEqual([['standout', 'pair', 'l9:s1']]);
  });

  it('takes nothing back from a verdict that is no longer standing (undone)', () => {
    const pairs = [pair('raj/r1', 'raj koothrappali/k1')];
    expect(propagate(input(pairs, [], [folders('raj', 'raj koothrappali', 0.9)], []))).toEqual([]);
  });

  it('never overrides a curator’s own verdict on a candidate', () => {
    const same = verdict({
      subject: 'identity_pair',
      subjectKey: folderPairKey('raj', 'raj koothrappali'),
      verdict: 'same',
      fromIdentity: 'raj',
      toIdentity: 'raj koothrappali',
    });
    const decided = { ...pair('raj/r1', 'raj koothrappali/k1'), own: 'fine' };
    expect(propagate(input([decided], [], [], [same]))).toEqual([]);
  });
});

describe('findings', () => {
  it('makes a split person one finding, not one per image, and ranks it above look-alikes', () => {
    const pairs = [pair('raj/r1', 'raj 2/k1', 0.8), pair('raj/r2', 'raj 2/k2', 0.8), pair('amy/a1', 'penny/p1', 0.45)];
    // in a split, each image is about as close to the other folder as to its own
    const images = [image('raj/r1', 0.8, 'raj 2', 0.8), image('raj 2/k1', 0.8, 'raj', 0.81), image('amy/a1', 0.8, 'penny', 0.4)];
    const given = input(pairs, images, [folders('raj', 'raj 2', 0.92), folders('amy', 'penny', 0.5)]);
    const findings = findFindings(given, effectiveStatus([]));
    expect(findings.map((f) => [f.kind, f.subject, f.subjectKey, f.evidence])).toEqual([
      ['split', 'identity_pair', folderPairKey('raj', 'raj 2'), 2],
      ['lookalike', 'identity_pair', folderPairKey('amy', 'penny'), 1],
    ]);
  });

  it('makes a misfiled image a finding with where it belongs, and leaves its pairs out of the folder pair’s evidence', () => {
    const pairs = [pair('amy/a1', 'penny/a3', 0.8), pair('amy/a2', 'penny/a3', 0.78)];
    const images = [image('penny/a3', 0.1, 'amy', 0.8), image('amy/a1'), image('amy/a2')];
    const findings = findFindings(input(pairs, images, [folders('amy', 'penny', 0.2)]), effectiveStatus([]));
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'misfiled',
        subject: 'outlier',
        subjectKey: imageKey('penny', 'a3'),
        evidence: 2,
        detail: expect.objectContaining({ belongsTo: 'amy' }),
      }),
    ]);
  });

  it('makes all copies of one picture one finding led by its strongest pair, and closes it once resolved', () => {
    const pairs = [
      pair('sheldon/s1', 'sheldon/s2', 0.99, 'near_duplicate'),
      pair('sheldon/s1', 'sheldon/s3', 1, 'near_duplicate'),
      pair('sheldon/s2', 'sheldon/s3', 0.97, 'near_duplicate'),
    ];
    const [finding, ...rest] = findFindings(input(pairs, [], []), effectiveStatus([]));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ kind: 'duplicate', subject: 'pair', subjectKey: 's1:s3', evidence: 2, detail: { copies: 3 } });
    const resolved = effectiveStatus(pairs.map((p) => ({ subject: 'pair' as const, subjectKey: p.key, verdict: 'duplicate', sourceId: 1, reason: '' })));
    expect(findFindings(input(pairs, [], []), resolved)).toEqual([]);
  });

  it('reads, for a change in some folders, every folder one person with them or trading images with them', () => {
    const verdicts = [
      verdict({ subject: 'identity_pair', subjectKey: 'a\nb', verdict: 'same', fromIdentity: 'a', toIdentity: 'b' }),
      verdict({ subject: 'outlier', subjectKey: 'b\nh', verdict: 'mislabeled', misfiledHash: 'h', fromIdentity: 'b', toIdentity: 'c' }),
      verdict({ subject: 'identity_pair', subjectKey: 'd\ne', verdict: 'different' }),
    ];
    expect(scopeClosure(verdicts, ['a'])).toEqual(['a', 'b', 'c']);
    expect(scopeClosure(verdicts, ['d'])).toEqual(['d']);
  });
});
