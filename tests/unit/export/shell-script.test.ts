import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFixList, toShellScript, type FixList, type FixListInput } from '@/lib/services/export';
import { shellQuote } from '@/lib/services/export/shell-script';
import { duplicate, fixListInput, merge, move } from './factories';

const FIXTURE = fileURLToPath(new URL('../../fixtures/faces-bbt', import.meta.url));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'facesift-export-sh-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The shells to run the script with, each binary once: /bin/sh, dash, and bash in POSIX mode when present. */
const SHELLS: string[][] = (() => {
  const seen = new Set<string>();
  return [['sh'], ['dash'], ['bash', '--posix']].filter(([name]) => {
    const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).stdout.trim();
    if (!found) return false;
    const real = realpathSync(found);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
})();

const INJECTION = 'bernadette/x\n$(touch PWNED)\n`touch PWNED`\ntouch PWNED\n.png';

/** Extra files (content: their own path, so each is recognisable wherever it ends up), with awkward names. */
const EXTRAS = [
  'amy/it\'s "me" $HOME `whoami`.png',
  'amy/not_me/it\'s "me" $HOME `whoami`.png',
  'penny/-rf.png',
  'sheldon/leonard1.png',
  'howard/line\nbreak.png',
  'raj/raj1 copy, 2.png',
  'stuart/stuart1 (dup).png',
  '杏野なつ/杏野なつ_SXUV.png',
  '杏野なつ/a.png',
  '杏野なつ/b.png',
  '杏野 なつ/a.png',
  '杏野 なつ/c $x.png',
  '杏野 なつ/not_me/z.png',
  '杏野 なつ/.picasa.ini',
  'ハワード/howard1.png',
  'ハワード/h2.png',
  'ハワード2/howard1.png',
];

let datasets = 0;
/** A copy of the sample dataset (8 people x 5 png) plus EXTRAS, under a root whose own name needs quoting. */
function makeDataset(): string {
  const root = path.join(tmp, `${datasets++} data set's "$HOME" \`x\``);
  cpSync(FIXTURE, root, { recursive: true });
  for (const rel of EXTRAS) {
    mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(root, rel), rel);
  }
  return root;
}

function fixListFor(root: string): FixList {
  const filesByIdentity: FixListInput['filesByIdentity'] = {};
  const imageCounts: FixListInput['imageCounts'] = {};
  for (const person of readdirSync(root)) {
    const files = readdirSync(path.join(root, person), { withFileTypes: true }).filter((e) => e.isFile() && !e.name.startsWith('.'));
    filesByIdentity[person] = files.map((e) => e.name);
    imageCounts[person] = files.length;
  }
  const size = (rel: string) => readFileSync(path.join(root, rel)).length;
  return buildFixList(
    fixListInput({
      datasetRoot: root,
      moves: [
        move('amy/it\'s "me" $HOME `whoami`.png', null),
        move('penny/-rf.png', 'raj'),
        move('sheldon/leonard1.png', 'leonard'),
        move('howard/line\nbreak.png', '杏野なつ'),
        move('bernadette/bernadette1.png', 'penny'),
        move(INJECTION, 'penny'),
        move(INJECTION, 'raj'),
      ],
      duplicates: [
        duplicate(['raj/raj1.png', size('raj/raj1.png')], ['raj/raj1 copy, 2.png', size('raj/raj1 copy, 2.png')]),
        duplicate(['stuart/stuart1.png', size('stuart/stuart1.png')], ['stuart/stuart1 (dup).png', 1], 'stuart/stuart1 (dup).png'),
        duplicate(['bernadette/bernadette1.png', 1], ['bernadette/bernadette2.png', 1], 'bernadette/bernadette2.png'),
      ],
      merges: [merge('杏野なつ', '杏野 なつ'), merge('howard', 'ハワード', 'howard'), merge('ハワード', 'ハワード2')],
      imageCounts,
      filesByIdentity,
    }),
  );
}

/** Every file under root (path → content hash) and every empty folder (path/ → ''). */
function tree(root: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = readdirSync(path.join(root, rel), { withFileTypes: true });
  if (rel && entries.length === 0) out[`${rel}/`] = '';
  for (const entry of entries) {
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(out, tree(root, child));
    else
      out[child] = createHash('sha1')
        .update(readFileSync(path.join(root, child)))
        .digest('hex');
  }
  return out;
}

const fixtureFiles = (person: string, ...numbers: number[]) => numbers.map((n) => `${person}/${person}${n}.png`);
const same = (...paths: string[]) => paths.map((p) => [p, p] as const);

/** Where every file should be after the script (final path → where it was before), deletes not applied. */
const INTENDED: ReadonlyArray<readonly [string, string]> = [
  ...same(...fixtureFiles('amy', 1, 2, 3, 4, 5)),
  ...same('amy/not_me/it\'s "me" $HOME `whoami`.png'),
  // Not known to the fix list (not_me/ is never scanned): the clash is found and suffixed at run time.
  ['amy/not_me/it\'s "me" $HOME `whoami` (2).png', 'amy/it\'s "me" $HOME `whoami`.png'],
  // Moved and deleted by conflicting verdicts: left alone.
  ...same(...fixtureFiles('bernadette', 1, 2, 3, 4, 5)),
  ...same(...fixtureFiles('howard', 1, 2, 3, 4, 5)),
  ['howard/howard1 (2).png', 'ハワード/howard1.png'],
  ['howard/h2.png', 'ハワード/h2.png'],
  ['howard/howard1 (3).png', 'ハワード2/howard1.png'],
  ...same(...fixtureFiles('leonard', 1, 2, 3, 4, 5)),
  ['leonard/leonard1 (2).png', 'sheldon/leonard1.png'],
  ...same(...fixtureFiles('penny', 1, 2, 3, 4, 5)),
  ...same(...fixtureFiles('raj', 1, 2, 3, 4, 5)),
  ['raj/-rf.png', 'penny/-rf.png'],
  ...same('raj/raj1 copy, 2.png'),
  ...same(...fixtureFiles('sheldon', 1, 2, 3, 4, 5)),
  ...same(...fixtureFiles('stuart', 1, 2, 3, 4, 5)),
  ...same('stuart/stuart1 (dup).png'),
  ...same('杏野なつ/杏野なつ_SXUV.png', '杏野なつ/a.png', '杏野なつ/b.png'),
  ['杏野なつ/line\nbreak.png', 'howard/line\nbreak.png'],
  ['杏野なつ/a (2).png', '杏野 なつ/a.png'],
  ['杏野なつ/c $x.png', '杏野 なつ/c $x.png'],
  ['杏野なつ/not_me/z.png', '杏野 なつ/not_me/z.png'],
  ['杏野なつ/.picasa.ini', '杏野 なつ/.picasa.ini'],
];
const DELETED = ['raj/raj1 copy, 2.png', 'stuart/stuart1.png'];

function expectedTree(before: Record<string, string>, applyDeletes: boolean): Record<string, string> {
  const intended = INTENDED.filter(([final]) => !(applyDeletes && DELETED.includes(final)));
  return Object.fromEntries(intended.map(([final, origin]) => [final, before[origin]]));
}

function runScript(shell: string[], script: string, args: string[], applyDeletes = false) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.FACESIFT_APPLY_DELETES;
  if (applyDeletes) env.FACESIFT_APPLY_DELETES = '1';
  return spawnSync(shell[0], [...shell.slice(1), script, ...args], { cwd: tmp, env, encoding: 'utf8' });
}

function writeScript(fixList: FixList): string {
  const file = path.join(tmp, `fix-${datasets}.sh`);
  writeFileSync(file, toShellScript(fixList));
  return file;
}

describe.each(SHELLS.map((shell) => [shell.join(' '), shell] as const))('the sh script run with %s', (_name, shell) => {
  it.each([
    ['lists the duplicates without FACESIFT_APPLY_DELETES', false],
    ['deletes the duplicates with FACESIFT_APPLY_DELETES=1', true],
  ])('produces exactly the intended folder tree and %s; a second run changes nothing', (_label, applyDeletes) => {
    const root = makeDataset();
    const before = tree(root);
    const fixList = fixListFor(root);
    expect(fixList.conflicts.map((c) => c.subjects)).toEqual([['bernadette/bernadette1.png'], [INJECTION]]);
    const script = writeScript(fixList);

    const first = runScript(shell, script, [root], applyDeletes);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(tree(root)).toEqual(expectedTree(before, applyDeletes));
    expect(existsSync(path.join(tmp, 'PWNED')) || existsSync(path.join(root, 'PWNED'))).toBe(false);
    expect(first.stdout).toContain(`${applyDeletes ? 'deleted' : 'would delete'}: raj/raj1 copy, 2.png (duplicate of raj/raj1.png)`);
    expect(first.stdout).toContain(`${applyDeletes ? 'deleted' : 'would delete'}: stuart/stuart1.png (duplicate of stuart/stuart1 (dup).png)`);
    expect(first.stdout).toContain(`facesift: moved 4, deleted ${applyDeletes ? 2 : 0}, merged 3 (renamed on merge: 3), skipped 0`);

    const afterFirst = tree(root);
    const second = runScript(shell, script, [root], applyDeletes);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(tree(root)).toEqual(afterFirst);
    expect(second.stdout).toContain('skipped move, no longer there: penny/-rf.png');
    expect(second.stdout).toContain(`facesift: moved 0, deleted 0, merged 0 (renamed on merge: 0), skipped ${applyDeletes ? 9 : 7}`);
  });
});

describe.each(SHELLS.map((shell) => [shell.join(' '), shell] as const))('the sh script run with %s, on links', (_name, shell) => {
  /** amy1.png, the only copy, and three other names for it: a symlink, a hard link, and the same path through a linked folder. */
  function linkedDataset(): string {
    const root = path.join(tmp, `${datasets++} links`);
    mkdirSync(path.join(root, 'amy'), { recursive: true });
    writeFileSync(path.join(root, 'amy/amy1.png'), 'the only copy');
    symlinkSync('amy1.png', path.join(root, 'amy/amy1 link.png'));
    linkSync(path.join(root, 'amy/amy1.png'), path.join(root, 'amy/amy1 hard.png'));
    symlinkSync('amy', path.join(root, 'amy again'));
    return root;
  }

  it.each([
    ['keeping the symlink', 'amy/amy1 link.png', 'amy/amy1.png', 'is a symbolic link'],
    ['deleting the symlink', 'amy/amy1.png', 'amy/amy1 link.png', 'is a symbolic link'],
    ['keeping a hard link', 'amy/amy1 hard.png', 'amy/amy1.png', 'is the same file as the copy to keep'],
    ['keeping the path through a linked folder', 'amy again/amy1.png', 'amy/amy1.png', 'is the same file as the copy to keep'],
  ])('refuses to delete an image as a duplicate of itself, %s', (_label, keep, drop, reason) => {
    const root = linkedDataset();
    const fixList = buildFixList(fixListInput({ datasetRoot: root, duplicates: [duplicate([keep, 13], [drop, 13], keep)] }));
    expect(fixList.actions).toEqual([expect.objectContaining({ action: 'delete', path: drop, duplicateOf: keep })]);
    const run = runScript(shell, writeScript(fixList), [root], true);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(path.join(root, 'amy/amy1.png'), 'utf8')).toBe('the only copy');
    expect(readdirSync(path.join(root, 'amy')).sort()).toEqual(['amy1 hard.png', 'amy1 link.png', 'amy1.png']);
    expect(run.stdout).toContain(`skipped delete of ${drop}: `);
    expect(run.stdout).toContain(reason);
    expect(run.stdout).toContain('deleted 0,');
  });
});

describe('the sh script', () => {
  it('finds at least one POSIX shell to test with', () => {
    expect(SHELLS.map((s) => s[0])).toContain('sh');
  });

  it('refuses a root that is not a directory and changes nothing', () => {
    const root = makeDataset();
    const before = tree(root);
    const script = writeScript(fixListFor(root));
    const aFile = path.join(root, 'amy', 'amy1.png');
    for (const notADirectory of [aFile, path.join(tmp, 'missing')]) {
      const run = runScript(['sh'], script, [notADirectory]);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(`facesift: the dataset root is not a directory: ${notADirectory}\n`);
    }
    expect(tree(root)).toEqual(before);
  });

  it('applies to the root it was exported from when given no root', () => {
    const root = makeDataset();
    const before = tree(root);
    const run = runScript(['sh'], writeScript(fixListFor(root)), []);
    expect(run.status).toBe(0);
    expect(tree(root)).toEqual(expectedTree(before, false));
  });

  it('never deletes a duplicate whose kept copy has gone missing', () => {
    const root = makeDataset();
    const script = writeScript(fixListFor(root));
    rmSync(path.join(root, 'raj/raj1.png'));
    const run = runScript(['sh'], script, [root], true);
    expect(run.status).toBe(0);
    expect(existsSync(path.join(root, 'raj/raj1 copy, 2.png'))).toBe(true);
    expect(run.stdout).toContain('skipped delete of raj/raj1 copy, 2.png: the copy to keep is missing: raj/raj1.png');
  });

  it('single-quotes any string so the shell reads it back unchanged', () => {
    const values = ["it's", "''", 'a "b"', '$HOME', '`id`', '$(id)', 'line\nbreak', '-rf', '杏野なつ', 'back\\slash', ' \t', '*'];
    const run = spawnSync('sh', ['-c', values.map((v) => `printf '%s|END|' ${shellQuote(v)}`).join('\n')], { cwd: tmp, encoding: 'utf8' });
    expect(run.stdout.split('|END|').slice(0, -1)).toEqual(values);
  });

  it('keeps every conflict in comments, so a newline in a name cannot become a command', () => {
    const script = toShellScript(fixListFor(makeDataset()));
    const header = script.slice(0, script.indexOf('\nset -eu\n')).split('\n');
    expect(header.filter((line) => line !== '' && !line.startsWith('#'))).toEqual([]);
    expect(header).toContain('# - image "bernadette/x\\n$(touch PWNED)\\n`touch PWNED`\\ntouch PWNED\\n.png": "moved to penny vs moved to raj"');
  });

  it('says which verdicts conflict, in the comments at the top', () => {
    const script = toShellScript(fixListFor(makeDataset()));
    expect(script).toContain(
      [
        '# - image "bernadette/bernadette1.png": "moved to penny vs deleted as a duplicate of bernadette/bernadette2.png"',
        '#     pair verdict: move "bernadette/bernadette1.png" to "penny", by "alice" at 2026-01-01T00:00:00.000Z',
        '#     duplicates "bernadette/bernadette1.png" (1 bytes) and "bernadette/bernadette2.png" (1 bytes), keep "bernadette/bernadette2.png", by "bob" at 2026-01-02T00:00:00.000Z',
      ].join('\n'),
    );
    expect(script).toContain("printf '%s\\n' 'conflicts left out: 2 (see the comments at the top of this script)'");
  });
});
