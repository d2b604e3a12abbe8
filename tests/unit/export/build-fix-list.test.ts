import { describe, expect, it } from 'vitest';
import { buildFixList, type Action, type FixList } from '@/lib/services/export';
import { at, duplicate, fixListInput, merge, move } from './factories';

const ofKind = <K extends Action['action']>(list: FixList, kind: K) => list.actions.filter((a): a is Extract<Action, { action: K }> => a.action === kind);

describe('buildFixList: moves', () => {
  it('moves a misfiled image to the other person, with who decided it and when', () => {
    const list = buildFixList(fixListInput({ moves: [move('amy/amy1.png', 'penny', { decidedBy: 'dora', decidedAt: at(5) })] }));
    expect(list.actions).toEqual([
      {
        action: 'move',
        path: 'amy/amy1.png',
        fromIdentity: 'amy',
        toIdentity: 'penny',
        toFolder: 'penny',
        targetPath: 'penny/amy1.png',
        source: 'pair',
        decidedBy: 'dora',
        decidedAt: '2026-01-05T00:00:00.000Z',
      },
    ]);
    expect(list.conflicts).toEqual([]);
    expect(list.generatedAt).toBe('2026-12-01T09:00:00.000Z');
    expect(list.datasetRoot).toBe('/data/faces');
  });

  it('sends an outlier with no person chosen to its own folder’s not_me/, leaving toIdentity null', () => {
    const [action] = ofKind(buildFixList(fixListInput({ moves: [move('杏野なつ/杏野なつ_SXUV.png', null)] })), 'move');
    expect(action).toMatchObject({
      toIdentity: null,
      toFolder: '杏野なつ/not_me',
      targetPath: '杏野なつ/not_me/杏野なつ_SXUV.png',
      source: 'outlier',
    });
  });

  it('suffixes a target name taken in the target folder (ignoring case) or by an earlier move', () => {
    const list = buildFixList(
      fixListInput({
        moves: [move('amy/amy1.png', 'penny'), move('bernadette/amy1.png', 'penny'), move('sheldon/x.png', 'penny')],
        filesByIdentity: { penny: ['AMY1.png', 'amy1 (2).png', 'penny1.png'] },
      }),
    );
    expect(ofKind(list, 'move').map((m) => m.targetPath)).toEqual(['penny/amy1 (3).png', 'penny/amy1 (4).png', 'penny/x.png']);
  });

  it('keeps the name of an image moving out of the target folder taken, as the script meets it still there', () => {
    const list = buildFixList(
      fixListInput({
        moves: [move('amy/a.png', 'penny'), move('penny/a.png', 'amy')],
        filesByIdentity: { amy: ['a.png'], penny: ['a.png'] },
      }),
    );
    expect(ofKind(list, 'move').map((m) => m.targetPath)).toEqual(['penny/a (2).png', 'amy/a (2).png']);
  });

  it('uses a helper folder’s known contents when given, under its folder path', () => {
    const list = buildFixList(fixListInput({ moves: [move('amy/a.png', null)], filesByIdentity: { 'amy/not_me': ['a.png'] } }));
    expect(ofKind(list, 'move')[0].targetPath).toBe('amy/not_me/a (2).png');
  });
});

describe('buildFixList: duplicates', () => {
  it('deletes the smaller file by default and names the larger one it duplicates', () => {
    const list = buildFixList(fixListInput({ duplicates: [duplicate(['raj/big.png', 900], ['raj/small.png', 100])] }));
    expect(list.actions).toEqual([
      { action: 'delete', path: 'raj/small.png', duplicateOf: 'raj/big.png', decidedBy: 'bob', decidedAt: '2026-01-02T00:00:00.000Z' },
    ]);
  });

  it('keeps the path first in UTF-8 byte order when both files are the same size', () => {
    // UTF-16 order would put 𠮷 (a surrogate pair) before ｱ; UTF-8 byte order puts it after.
    const list = buildFixList(fixListInput({ duplicates: [duplicate(['raj/𠮷.png', 5], ['raj/ｱ.png', 5])] }));
    expect(ofKind(list, 'delete')[0]).toMatchObject({ path: 'raj/𠮷.png', duplicateOf: 'raj/ｱ.png' });
  });

  it('keeps the image the curator chose even when it is the smaller', () => {
    const list = buildFixList(fixListInput({ duplicates: [duplicate(['raj/big.png', 900], ['raj/small.png', 100], 'raj/small.png')] }));
    expect(ofKind(list, 'delete')[0]).toMatchObject({ path: 'raj/big.png', duplicateOf: 'raj/small.png' });
  });
});

describe('buildFixList: merges', () => {
  it('merges into the folder chosen, even the smaller one', () => {
    const list = buildFixList(fixListInput({ merges: [merge('森本龍太郎', '森本慎太郎', '森本龍太郎')], imageCounts: { 森本龍太郎: 2, 森本慎太郎: 40 } }));
    expect(list.actions).toEqual([
      { action: 'merge', fromIdentity: '森本慎太郎', intoIdentity: '森本龍太郎', via: [], decidedBy: 'carol', decidedAt: '2026-01-03T00:00:00.000Z' },
    ]);
  });

  it('merges the folder with fewer images into the larger one by default, into the name first in byte order on a tie', () => {
    const list = buildFixList(
      fixListInput({
        merges: [merge('夏子', '横澤夏子'), merge('b-tie', 'a-tie')],
        imageCounts: { 夏子: 3, 横澤夏子: 30, 'a-tie': 4, 'b-tie': 4 },
      }),
    );
    expect(ofKind(list, 'merge').map((m) => [m.fromIdentity, m.intoIdentity])).toEqual([
      ['b-tie', 'a-tie'],
      ['夏子', '横澤夏子'],
    ]);
  });

  it('takes folders named like Object properties ("constructor") as empty and image-less when not listed', () => {
    const list = buildFixList(fixListInput({ merges: [merge('constructor', 'toString')], moves: [move('amy/a.png', 'constructor')] }));
    expect(ofKind(list, 'merge').map((m) => [m.fromIdentity, m.intoIdentity])).toEqual([['toString', 'constructor']]);
    expect(ofKind(list, 'move')[0].targetPath).toBe('constructor/a.png');
  });

  it('lets a chosen folder win over another verdict’s default on the same pair', () => {
    const list = buildFixList(
      fixListInput({
        merges: [
          merge('big', 'small', null, { decidedBy: 'early', decidedAt: at(1) }),
          merge('big', 'small', 'small', { decidedBy: 'late', decidedAt: at(9) }),
        ],
        imageCounts: { big: 10, small: 1 },
      }),
    );
    expect(list.actions).toEqual([expect.objectContaining({ fromIdentity: 'big', intoIdentity: 'small', decidedBy: 'late' })]);
    expect(list.conflicts).toEqual([]);
  });

  it('reports opposite choices on one pair as a conflict and merges neither way', () => {
    const list = buildFixList(fixListInput({ merges: [merge('x', 'y', 'x'), merge('y', 'x', 'y', { decidedBy: 'dora' })] }));
    expect(list.actions).toEqual([]);
    expect(list.conflicts).toEqual([
      expect.objectContaining({
        kind: 'merge',
        subjects: ['x', 'y'],
        reason: 'merged in opposite directions',
        verdicts: [expect.objectContaining({ into: 'x' }), expect.objectContaining({ into: 'y' })],
      }),
    ]);
  });

  it('resolves a chain of merges to the final folder, naming the folders it went through', () => {
    const list = buildFixList(fixListInput({ merges: [merge('a', 'b', 'b'), merge('b', 'c', 'c'), merge('c', 'd', 'd')] }));
    expect(ofKind(list, 'merge').map((m) => [m.fromIdentity, m.intoIdentity, m.via])).toEqual([
      ['a', 'd', ['b', 'c']],
      ['b', 'd', ['c']],
      ['c', 'd', []],
    ]);
  });

  it('reports a cycle of merges as a conflict and still merges a folder that leads into it', () => {
    const list = buildFixList(fixListInput({ merges: [merge('a', 'b', 'b'), merge('b', 'c', 'c'), merge('c', 'a', 'a'), merge('d', 'a', 'a')] }));
    expect(list.conflicts).toEqual([expect.objectContaining({ kind: 'merge', subjects: ['a', 'b', 'c'], reason: 'merges form a cycle: a → b → c → a' })]);
    expect(list.conflicts[0].verdicts).toHaveLength(3);
    expect(ofKind(list, 'merge').map((m) => [m.fromIdentity, m.intoIdentity])).toEqual([['d', 'a']]);
  });

  it('reports a folder merged into two different folders as a conflict', () => {
    const list = buildFixList(fixListInput({ merges: [merge('a', 'b', 'b'), merge('a', 'c', 'c'), merge('x', 'a', 'a')] }));
    expect(list.conflicts).toEqual([expect.objectContaining({ kind: 'merge', subjects: ['a', 'b', 'c'], reason: 'a merged into more than one folder: b, c' })]);
    expect(ofKind(list, 'merge').map((m) => [m.fromIdentity, m.intoIdentity])).toEqual([['x', 'a']]);
  });
});

describe('buildFixList: conflicts and order', () => {
  it('emits moves, then deletes, then merges, each in byte order', () => {
    const list = buildFixList(
      fixListInput({
        merges: [merge('m2', 'n', 'n'), merge('m1', 'n', 'n')],
        duplicates: [duplicate(['d/ｱ.png', 1], ['d/keep1.png', 2]), duplicate(['d/𠮷.png', 1], ['d/keep2.png', 2])],
        moves: [move('z/𠮷.png', 'q'), move('z/ｱ.png', 'q'), move('a/a.png', 'q')],
      }),
    );
    expect(list.actions.map((a) => `${a.action} ${a.action === 'merge' ? a.fromIdentity : a.path}`)).toEqual([
      'move a/a.png',
      'move z/ｱ.png',
      'move z/𠮷.png',
      'delete d/ｱ.png',
      'delete d/𠮷.png',
      'merge m1',
      'merge m2',
    ]);
  });

  it('reports an image moved by one verdict and deleted by another, and emits neither', () => {
    const list = buildFixList(fixListInput({ moves: [move('amy/amy1.png', 'penny')], duplicates: [duplicate(['amy/amy1.png', 1], ['amy/amy2.png', 2])] }));
    expect(list.actions).toEqual([]);
    expect(list.conflicts).toEqual([
      {
        kind: 'image',
        subjects: ['amy/amy1.png'],
        reason: 'moved to penny vs deleted as a duplicate of amy/amy2.png',
        verdicts: [
          {
            verdict: 'move',
            path: 'amy/amy1.png',
            fromIdentity: 'amy',
            toIdentity: 'penny',
            source: 'pair',
            decidedBy: 'alice',
            decidedAt: '2026-01-01T00:00:00.000Z',
          },
          {
            verdict: 'duplicate',
            a: { path: 'amy/amy1.png', size: 1 },
            b: { path: 'amy/amy2.png', size: 2 },
            keepPath: null,
            decidedBy: 'bob',
            decidedAt: '2026-01-02T00:00:00.000Z',
          },
        ],
      },
    ]);
  });

  it('reports an image moved to two different people, not_me included, and keeps unrelated moves', () => {
    const list = buildFixList(fixListInput({ moves: [move('amy/a.png', 'penny'), move('amy/a.png', null), move('amy/b.png', 'raj')] }));
    expect(list.conflicts).toEqual([expect.objectContaining({ kind: 'image', subjects: ['amy/a.png'], reason: 'moved to penny vs moved to amy/not_me' })]);
    expect(ofKind(list, 'move').map((m) => m.path)).toEqual(['amy/b.png']);
  });

  it('reports a delete whose kept image is deleted by another verdict, and deletes nothing', () => {
    const list = buildFixList(fixListInput({ duplicates: [duplicate(['raj/a.png', 9], ['raj/b.png', 5]), duplicate(['raj/b.png', 5], ['raj/c.png', 1])] }));
    expect(list.actions).toEqual([]);
    expect(list.conflicts).toEqual([
      expect.objectContaining({ kind: 'image', subjects: ['raj/b.png'], reason: 'deleted as a duplicate of raj/a.png vs kept as the original of a duplicate' }),
    ]);
  });

  it('reports a delete whose kept image is moved by another verdict', () => {
    const list = buildFixList(fixListInput({ moves: [move('raj/a.png', 'howard')], duplicates: [duplicate(['raj/a.png', 9], ['raj/b.png', 5])] }));
    expect(list.actions).toEqual([]);
    expect(list.conflicts.map((c) => [c.subjects, c.reason])).toEqual([[['raj/a.png'], 'moved to howard vs kept as the original of a duplicate']]);
  });

  it('reports two curators keeping opposite images of one pair as one conflict over both images', () => {
    const list = buildFixList(
      fixListInput({
        duplicates: [
          duplicate(['raj/a.png', 1], ['raj/b.png', 1], 'raj/a.png'),
          duplicate(['raj/a.png', 1], ['raj/b.png', 1], 'raj/b.png', { decidedBy: 'dora' }),
        ],
      }),
    );
    expect(list.actions).toEqual([]);
    expect(list.conflicts).toHaveLength(1);
    expect(list.conflicts[0].subjects).toEqual(['raj/a.png', 'raj/b.png']);
    expect(list.conflicts[0].verdicts.map((v) => v.decidedBy)).toEqual(['bob', 'dora']);
  });

  it('makes one action of verdicts with the same effect, credited to the earliest', () => {
    const list = buildFixList(
      fixListInput({
        moves: [
          move('amy/a.png', 'penny', { decidedBy: 'late', decidedAt: at(9) }),
          move('amy/a.png', 'penny', { decidedBy: 'early', decidedAt: at(4), source: 'outlier' }),
        ],
        duplicates: [
          duplicate(['raj/a.png', 9], ['raj/b.png', 1], null, { decidedBy: 'x', decidedAt: at(8) }),
          duplicate(['raj/b.png', 1], ['raj/c.png', 9], null, { decidedBy: 'y', decidedAt: at(7) }),
        ],
      }),
    );
    expect(list.conflicts).toEqual([]);
    expect(list.actions).toEqual([
      expect.objectContaining({ action: 'move', path: 'amy/a.png', source: 'outlier', decidedBy: 'early' }),
      expect.objectContaining({ action: 'delete', path: 'raj/b.png', duplicateOf: 'raj/c.png', decidedBy: 'y' }),
    ]);
  });

  it('refuses verdicts whose paths or names could reach outside their folder, reporting them as invalid', () => {
    const list = buildFixList(
      fixListInput({
        moves: [move('amy/../../etc/passwd', 'penny'), move('amy/a.png', '..'), move('amy/b.png', 'amy'), move('amy/ok.png', 'penny')],
        duplicates: [duplicate(['raj/a.png', 1], ['/raj/b.png', 2]), duplicate(['raj/a.png', 1], ['raj/b.png', 2], 'raj/c.png')],
        merges: [merge('x', 'x'), merge('x', 'y/z'), merge('x', 'y', 'z')],
      }),
    );
    expect(list.actions.map((a) => a.action === 'move' && a.path)).toEqual(['amy/ok.png']);
    expect(list.conflicts.map((c) => [c.kind, c.subjects, c.reason])).toEqual([
      ['invalid', ['amy/../../etc/passwd'], 'cannot move: path "amy/../../etc/passwd" has a name containing "/"'],
      ['invalid', ['amy/a.png'], 'cannot move: the name ".."'],
      ['invalid', ['amy/b.png'], 'moves the image into the folder it is in'],
      ['invalid', ['raj/a.png'], 'cannot delete a duplicate: path "/raj/b.png" has an empty name'],
      ['invalid', ['raj/c.png'], 'the image to keep is neither of the pair'],
      ['invalid', ['x'], 'a folder merged with itself'],
      ['invalid', ['x', 'y/z'], 'cannot merge: a name containing "/"'],
      ['invalid', ['z'], 'the folder merged into is neither of the pair'],
    ]);
  });
});
