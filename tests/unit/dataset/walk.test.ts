import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SKIP_FOLDERS, DatasetRootError, isImageName, walkDataset, type DatasetEntry, type DatasetProblem, type WalkOptions } from '@/lib/dataset/walk';
import { runUnprivileged } from '@/tests/support/unprivileged';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'facesift-walk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let counter = 0;
/** A fresh dataset tree; `files` maps root-relative paths to contents (a trailing '/' makes a folder). */
function makeTree(files: Record<string, string>): string {
  const root = path.join(tmp, `root${counter++}`);
  mkdirSync(root);
  for (const [rel, content] of Object.entries(files)) {
    const abs = path.join(root, rel);
    if (rel.endsWith('/')) {
      mkdirSync(abs, { recursive: true });
    } else {
      mkdirSync(path.dirname(abs), { recursive: true });
      writeFileSync(abs, content);
    }
  }
  return root;
}

async function walk(root: string, options?: WalkOptions) {
  const images: DatasetEntry[] = [];
  const problems: DatasetProblem[] = [];
  for await (const item of walkDataset(root, options)) {
    if (item.kind === 'image') images.push(item);
    else problems.push(item);
  }
  return { images, problems, relPaths: images.map((e) => e.relPath) };
}

describe('walkDataset: which files are a person’s images', () => {
  it('takes image files of any extension case from each person folder, with identity, size and mtime', async () => {
    const root = makeTree({
      '杏野なつ/杏野なつ_SXUV.png': 'png!',
      '杏野なつ/b.JPG': 'jpg',
      '杏野なつ/c.Jpeg': '',
      '杏野なつ/d.WEBP': 'w',
      'raj/raj1.png': 'r',
    });
    const { images, problems, relPaths } = await walk(root);
    expect(problems).toEqual([]);
    expect(relPaths).toEqual(['raj/raj1.png', '杏野なつ/b.JPG', '杏野なつ/c.Jpeg', '杏野なつ/d.WEBP', '杏野なつ/杏野なつ_SXUV.png']);
    const natsu = images.find((e) => e.relPath === '杏野なつ/杏野なつ_SXUV.png')!;
    expect(natsu.identity).toBe('杏野なつ');
    expect(natsu.absPath).toBe(path.join(root, '杏野なつ', '杏野なつ_SXUV.png'));
    expect(natsu.size).toBe(4);
    expect(natsu.mtimeMs).toBeGreaterThan(0);
  });

  it('ignores hidden files and folders, non-image files, and npKnown.npz', async () => {
    const root = makeTree({
      'amy/amy1.png': '',
      'amy/.amy2.png': '',
      'amy/notes.txt': '',
      'amy/npKnown.npz': '',
      'amy/amy.png.bak': '',
      'amy/.thumbs/': '',
      '.git/objects/x.png': '',
      '.hidden-person/h.png': '',
    });
    const { problems, relPaths } = await walk(root);
    expect(relPaths).toEqual(['amy/amy1.png']);
    expect(problems).toEqual([]);
  });

  it('normalises NFD folder and file names to NFC in identity and relPath, keeping the on-disk absPath', async () => {
    const person = 'ジョン'.normalize('NFD');
    const file = 'ポール_01.png'.normalize('NFD');
    const root = makeTree({ [`${person}/${file}`]: 'x' });
    const { images } = await walk(root);
    expect(images).toHaveLength(1);
    expect(images[0].identity).toBe('ジョン'.normalize('NFC'));
    expect(images[0].relPath).toBe(`${'ジョン'.normalize('NFC')}/${'ポール_01.png'.normalize('NFC')}`);
    expect(images[0].relPath).not.toBe(`${person}/${file}`);
    expect(existsSync(images[0].absPath)).toBe(true);
  });

  it('handles spaces and quotes in folder and file names', async () => {
    const root = makeTree({ [`O'Brien "Jr" x/a b 'c' "d".png`]: '' });
    const { images } = await walk(root);
    expect(images.map((e) => [e.identity, e.relPath])).toEqual([[`O'Brien "Jr" x`, `O'Brien "Jr" x/a b 'c' "d".png`]]);
    expect(existsSync(images[0].absPath)).toBe(true);
  });

  it('reports two names that are equal after NFC normalisation and keeps one', async () => {
    const root = makeTree({ ['p/ジ.png'.normalize('NFC')]: '' });
    writeFileSync(path.join(root, 'p', 'ジ.png'.normalize('NFD')), '');
    const { images, problems } = await walk(root);
    expect(readdirSync(path.join(root, 'p'))).toHaveLength(2);
    expect(images.map((e) => e.relPath)).toEqual(['p/ジ.png'.normalize('NFC')]);
    expect(problems.map((p) => [p.code, p.relPath])).toEqual([['name-clash', 'p/ジ.png'.normalize('NFC')]]);
  });
});

describe('walkDataset: folders inside person folders', () => {
  it("skips FACE01's helper folders by default, case-insensitively", async () => {
    const files: Record<string, string> = { 'raj/raj1.png': '', 'raj/NOFACE/x.png': '' };
    for (const folder of DEFAULT_SKIP_FOLDERS) files[`raj/${folder}/x.png`] = '';
    const { problems, relPaths } = await walk(makeTree(files));
    expect(relPaths).toEqual(['raj/raj1.png']);
    expect(problems).toEqual([]);
    expect(DEFAULT_SKIP_FOLDERS).toEqual(['not_me', 'noFace', 'multipleFaces', 'same_face', 'same_default_files', '外れ値ファイル']);
  });

  it('uses a configured skip list instead of the default', async () => {
    const root = makeTree({ 'raj/raj1.png': '', 'raj/rejects/x.png': '', 'raj/not_me/y.png': '' });
    const { problems } = await walk(root, { skipFolders: ['rejects'] });
    expect(problems.map((p) => [p.code, p.relPath])).toEqual([['nested-folder', 'raj/not_me']]);
  });

  it('does not scan other nested folders but notes each one', async () => {
    const root = makeTree({ 'raj/raj1.png': '', 'raj/2019 trip/x.png': '' });
    const { problems, relPaths } = await walk(root);
    expect(relPaths).toEqual(['raj/raj1.png']);
    expect(problems).toEqual([expect.objectContaining({ code: 'nested-folder', severity: 'note', relPath: 'raj/2019 trip', identity: 'raj' })]);
  });
});

describe('walkDataset: the root', () => {
  it('notes images lying directly in the root and silently ignores other root files', async () => {
    const root = makeTree({ 'stray.PNG': '', 'README.md': '', 'labels.csv': '', 'amy/amy1.png': '' });
    const { problems, relPaths } = await walk(root);
    expect(relPaths).toEqual(['amy/amy1.png']);
    expect(problems).toEqual([expect.objectContaining({ code: 'root-file', severity: 'note', relPath: 'stray.PNG', identity: null })]);
  });

  it('fails clearly when the root does not exist', async () => {
    const missing = path.join(tmp, 'no-such-root');
    await expect(walk(missing)).rejects.toThrow(new DatasetRootError(missing, `dataset root ${missing} does not exist`));
  });

  it('fails clearly when the root is a file', async () => {
    const file = path.join(makeTree({}), 'file.png');
    writeFileSync(file, '');
    await expect(walk(file)).rejects.toThrow(`dataset root ${file} is not a directory`);
    await expect(walk(file)).rejects.toBeInstanceOf(DatasetRootError);
  });

  it('accepts a relative root and returns relPaths relative to it', async () => {
    const root = makeTree({ 'amy/amy1.png': '' });
    const { images } = await walk(path.relative(process.cwd(), root));
    expect(images.map((e) => [e.relPath, e.absPath])).toEqual([['amy/amy1.png', path.join(root, 'amy', 'amy1.png')]]);
  });
});

describe('walkDataset: symlinks', () => {
  let outside: string;
  beforeAll(() => {
    outside = makeTree({ 'secret.png': 'outside', 'person/o.png': '' });
  });

  it('indexes no symlink: one inside the root is a note naming its target, one that leaves it is refused', async () => {
    const root = makeTree({ 'amy/amy1.png': '', 'common/pool.png': '', 'amy/notes.txt': '' });
    symlinkSync('../common/pool.png', path.join(root, 'amy', 'alias.png'));
    symlinkSync('notes.txt', path.join(root, 'amy', 'readme'));
    symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'amy', 'escape.png'));
    symlinkSync(path.join(outside, 'person'), path.join(root, 'escaped-person'));
    symlinkSync(path.join(root, 'common'), path.join(root, 'linked-person'));
    symlinkSync('../amy/nowhere.png', path.join(root, 'amy', 'broken.png'));
    const { images, problems } = await walk(root);
    expect(images.map((e) => e.relPath)).toEqual(['amy/amy1.png', 'common/pool.png']);
    expect(problems.map((p) => [p.code, p.relPath, p.severity])).toEqual([
      ['symlink-inside-root', 'amy/alias.png', 'note'],
      ['broken-symlink', 'amy/broken.png', 'error'],
      ['symlink-outside-root', 'amy/escape.png', 'error'],
      ['symlink-outside-root', 'escaped-person', 'error'],
      ['symlink-inside-root', 'linked-person', 'note'],
    ]);
    expect(problems.find((p) => p.relPath === 'amy/escape.png')!.reason).toMatch(/outside the dataset root/);
    expect(problems.find((p) => p.relPath === 'amy/alias.png')!.reason).toMatch(/^symlink to common\/pool.png, inside the dataset root: not indexed/);
  });

  it('never makes an image and a link to it a pair of images', async () => {
    const root = makeTree({ 'amy/amy1.png': 'the only copy' });
    symlinkSync('amy1.png', path.join(root, 'amy', 'amy1 link.png'));
    symlinkSync('amy', path.join(root, 'amy again'));
    const { relPaths } = await walk(root);
    expect(relPaths).toEqual(['amy/amy1.png']);
  });

  it('judges containment against the real root when the root itself is reached through a symlink', async () => {
    const real = makeTree({ 'amy/amy1.png': '' });
    symlinkSync('amy1.png', path.join(real, 'amy', 'same.png'));
    const link = path.join(tmp, `link-to-root${counter++}`);
    symlinkSync(real, link);
    const { relPaths, problems } = await walk(link);
    expect(problems.map((p) => [p.code, p.relPath])).toEqual([['symlink-inside-root', 'amy/same.png']]);
    expect(relPaths).toEqual(['amy/amy1.png']);
  });
});

describe('walkDataset: unreadable folders', () => {
  it('reports a person folder that cannot be listed and goes on with the others', async () => {
    const root = makeTree({ 'a/1.png': '', 'b/2.png': '', 'c/3.png': '' });
    const walker = walkDataset(root);
    const first = await walker.next();
    expect(first.value).toMatchObject({ relPath: 'a/1.png' });
    // The root was listed on the first step; replacing b with a file now makes listing it fail.
    renameSync(path.join(root, 'b'), path.join(root, '.b-moved'));
    writeFileSync(path.join(root, 'b'), '');
    const rest: (DatasetEntry | DatasetProblem)[] = [];
    for await (const item of walker) rest.push(item);
    expect(rest).toEqual([
      expect.objectContaining({
        kind: 'problem',
        code: 'unreadable',
        severity: 'error',
        relPath: 'b',
        reason: expect.stringMatching(/cannot be listed \(ENOTDIR\)/),
      }),
      expect.objectContaining({ kind: 'image', relPath: 'c/3.png' }),
    ]);
  });

  it('reports a folder without read permission (EACCES) and goes on', async () => {
    const root = makeTree({ 'a/1.png': '', 'b/2.png': '' });
    chmodSync(path.join(root, 'a'), 0o000);
    try {
      chmodSync(tmp, 0o755);
      const { problems, relPaths } = walkUnprivileged(root);
      expect(relPaths).toEqual(['b/2.png']);
      expect(problems).toEqual([expect.objectContaining({ code: 'unreadable', relPath: 'a', reason: expect.stringContaining('EACCES') })]);
    } finally {
      chmodSync(path.join(root, 'a'), 0o755);
    }
  });
});

/** The walk in a child process as an unprivileged user: root reads every folder whatever its mode. */
function walkUnprivileged(root: string) {
  const output = runUnprivileged(`
    import { walkDataset } from '@/lib/dataset/walk';
    for await (const item of walkDataset(${JSON.stringify(root)})) console.log(JSON.stringify(item));`);
  const items = output
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as DatasetEntry | DatasetProblem);
  const images = items.filter((i): i is DatasetEntry => i.kind === 'image');
  return { problems: items.filter((i): i is DatasetProblem => i.kind === 'problem'), relPaths: images.map((e) => e.relPath) };
}

describe('walkDataset: speed', () => {
  it('walks 10,000 images in 100 folders in well under two seconds', async () => {
    const root = makeTree({});
    for (let p = 0; p < 100; p++) {
      const dir = path.join(root, `person ${p}`);
      mkdirSync(dir);
      for (let i = 0; i < 100; i++) writeFileSync(path.join(dir, `img_${i}.png`), '');
    }
    expect(readdirSync(root)).toHaveLength(100);
    const started = performance.now();
    const { images } = await walk(root);
    const ms = performance.now() - started;
    expect(images).toHaveLength(10_000);
    // ~0.15 s on a 2-core machine; the bound leaves room for a loaded CI machine, not for an O(n^2) walk or a stat storm.
    expect(ms).toBeLessThan(2_000);
  });
});

describe('isImageName', () => {
  it('accepts png, jpg, jpeg and webp in any case and nothing else', () => {
    expect(['a.png', 'a.PNG', 'a.jpg', 'a.JpG', 'a.jpeg', 'a.webp', 'a b.WEBP'].every(isImageName)).toBe(true);
    expect(['a.gif', 'a.png.txt', 'png', '.png', '.a.png', 'a.npz', 'a'].some(isImageName)).toBe(false);
  });
});
