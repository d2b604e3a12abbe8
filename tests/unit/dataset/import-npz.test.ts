import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNpzFiles, matchNpzToImages, readNpzFolders, type NpzFolderFailure, type NpzFolderImport } from '@/lib/dataset/import-npz';
import type { NpzEmbeddings } from '@/lib/dataset/npz';
import { walkDataset, type DatasetEntry, type DatasetProblem } from '@/lib/dataset/walk';
import { encodeNpz, face01Arrays, floatArray, unicodeArray } from '@/tests/support/npz-writer';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'facesift-import-npz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const image = (relPath: string): DatasetEntry => ({
  kind: 'image',
  identity: relPath.split('/')[0],
  relPath,
  absPath: `/data/${relPath}`,
  size: 1,
  mtimeMs: 1,
});

const npzOf = (names: string[], rows: number[][]): NpzEmbeddings => ({
  names,
  key: 'efficientnetv2_arcface',
  dim: rows[0]?.length ?? 0,
  vectors: Float32Array.from(rows.flat()),
});

describe('matchNpzToImages', () => {
  it('pairs rows with images by basename and L2-normalises the vectors without touching the input', () => {
    const npz = npzOf(
      ['杏野なつ_SXUV.png', 'b.png'],
      [
        [3, 4],
        [0, 2],
      ],
    );
    const match = matchNpzToImages(npz, [image('杏野なつ/b.png'), image('杏野なつ/杏野なつ_SXUV.png')]);
    expect(match.matched.map((m) => [m.relPath, Array.from(m.vector)])).toEqual([
      ['杏野なつ/杏野なつ_SXUV.png', [Math.fround(0.6), Math.fround(0.8)]],
      ['杏野なつ/b.png', [0, 1]],
    ]);
    expect(Array.from(npz.vectors)).toEqual([3, 4, 0, 2]);
    expect([match.unmatchedNames, match.filesWithoutVector, match.duplicateNames, match.invalidVectorNames]).toEqual([[], [], [], []]);
  });

  it('reports names without a file and files without a row', () => {
    const npz = npzOf(
      ['moved-to-not_me.png', 'a.png'],
      [
        [1, 0],
        [0, 1],
      ],
    );
    const match = matchNpzToImages(npz, [image('p/a.png'), image('p/new.png')]);
    expect(match.matched.map((m) => m.relPath)).toEqual(['p/a.png']);
    expect(match.unmatchedNames).toEqual(['moved-to-not_me.png']);
    expect(match.filesWithoutVector).toEqual(['p/new.png']);
  });

  it('matches names exactly: case and extension must agree', () => {
    const match = matchNpzToImages(npzOf(['A.PNG'], [[1, 0]]), [image('p/a.png')]);
    expect(match.matched).toEqual([]);
    expect(match.unmatchedNames).toEqual(['A.PNG']);
  });

  it('uses the first row of a repeated name and refuses all-zero or non-finite rows', () => {
    const npz = npzOf(
      ['a.png', 'a.png', 'z.png', 'n.png'],
      [
        [1, 0],
        [0, 1],
        [0, 0],
        [Number.NaN, 1],
      ],
    );
    const match = matchNpzToImages(npz, [image('p/a.png'), image('p/n.png'), image('p/z.png')]);
    expect(match.matched.map((m) => [m.relPath, Array.from(m.vector)])).toEqual([['p/a.png', [1, 0]]]);
    expect(match.duplicateNames).toEqual(['a.png']);
    expect(match.invalidVectorNames).toEqual(['z.png', 'n.png']);
    expect(match.filesWithoutVector).toEqual(['p/n.png', 'p/z.png']);
  });
});

describe('readNpzFolders over a dataset tree', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, r) => [r + 1, 0, 0, 0]);

  function makeDataset() {
    const root = path.join(tmp, `ds${Math.random().toString(36).slice(2)}`);
    const put = (rel: string, data: string | Buffer = '') => {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), data);
    };
    // Folder and file names on disk decomposed, npz names composed: they must still match.
    const natsu = '杏野なつ';
    const john = 'ジョン'.normalize('NFD');
    put(`${natsu}/杏野なつ_SXUV.png`);
    put(`${natsu}/杏野なつ_2.png`);
    put(`${natsu}/not_me/other.png`);
    put(`${natsu}/npKnown.npz`, encodeNpz(face01Arrays({ names: ['杏野なつ_SXUV.png', 'other.png'], vectors: rows(2) }), { compressed: true }));
    put(`${john}/${'ポール.png'.normalize('NFD')}`);
    put(`${john}/npKnown.npz`, encodeNpz(face01Arrays({ names: ['ポール.png'.normalize('NFC')], vectors: rows(1), key: 'dlib', layout: 'ND' })));
    put('raj/raj1.png');
    put('raj/npKnown.npz', encodeNpz({ name: unicodeArray(['1', '2', '3', '4', '5']), efficientnetv2_arcface: floatArray(rows(4).flat(), [4, 1, 4], '<f4') }));
    put('amy/amy1.png');
    put('.hidden/npKnown.npz', 'ignored');
    return root;
  }

  async function collect(root: string) {
    const entries: (DatasetEntry | DatasetProblem)[] = [];
    for await (const item of walkDataset(root)) entries.push(item);
    const results: (NpzFolderImport | NpzFolderFailure)[] = [];
    for await (const result of readNpzFolders(root, entries)) results.push(result);
    return results;
  }

  it('yields one result per npz: matches, unmatched names, files left to embed, and failures with the file named', async () => {
    const results = await collect(makeDataset());
    expect(results.map((r) => [r.kind, r.identity, r.npzRelPath])).toEqual([
      ['npz-error', 'raj', 'raj/npKnown.npz'],
      ['npz', 'ジョン', 'ジョン/npKnown.npz'],
      ['npz', '杏野なつ', '杏野なつ/npKnown.npz'],
    ]);
    const [raj, john, natsu] = results as [NpzFolderFailure, NpzFolderImport, NpzFolderImport];
    expect(raj.message).toBe('raj/npKnown.npz: name.npy has 5 rows but efficientnetv2_arcface.npy has 4');
    expect(john).toMatchObject({ key: 'dlib', dim: 4, unmatchedNames: [], filesWithoutVector: [] });
    expect(john.matched.map((m) => [m.relPath, Array.from(m.vector)])).toEqual([['ジョン/ポール.png', [1, 0, 0, 0]]]);
    expect(natsu).toMatchObject({
      key: 'efficientnetv2_arcface',
      unmatchedNames: ['other.png'],
      filesWithoutVector: ['杏野なつ/杏野なつ_2.png'],
    });
    expect(natsu.matched.map((m) => m.relPath)).toEqual(['杏野なつ/杏野なつ_SXUV.png']);
  });

  it('finds npz files only directly in person folders and not through symlinks leaving the root', async () => {
    const root = makeDataset();
    const outside = path.join(tmp, `outside${Math.random().toString(36).slice(2)}`);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'npKnown.npz'), encodeNpz(face01Arrays({ names: ['x.png'], vectors: rows(1) })));
    mkdirSync(path.join(root, 'sheldon'));
    symlinkSync(path.join(outside, 'npKnown.npz'), path.join(root, 'sheldon', 'npKnown.npz'));
    symlinkSync(outside, path.join(root, 'penny'));
    expect((await findNpzFiles(root)).map((l) => l.npzRelPath)).toEqual(['raj/npKnown.npz', 'ジョン/npKnown.npz', '杏野なつ/npKnown.npz']);
  });
});
