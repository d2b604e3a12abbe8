/**
 * Walks a one-folder-per-person dataset: `<root>/<person>/<image>`.
 *
 * Layout rules (FACE01's layout):
 * - Every non-hidden directory directly under the root is a person; its name, NFC-normalised, is the identity.
 * - A person's images are the files directly in its folder with an image extension (any case).
 * - Helper folders inside a person folder (not_me, noFace, ...) hold images that are NOT that person's:
 *   they are skipped without a word. Any other folder inside a person folder is skipped too, with a note,
 *   because FACE01 layouts put only helper folders there: guessing that nested images belong to the person
 *   would silently mislabel them, while a note lets the user move them or add the folder to the skip list.
 * - Hidden entries (leading dot) and non-image files are ignored everywhere. Images lying directly in the
 *   root have no person, so they are ignored with a note; other root files (READMEs, CSVs) silently.
 * - Symlinks are never indexed. One that resolves inside the root is skipped with a note: what it points to is
 *   indexed at its own path (when it lies in a person folder), and indexing the link as well would make an image
 *   and a link to itself a duplicate pair, whose fix deletes the only copy. One that leaves the root, or leads
 *   nowhere, is refused (a problem).
 *
 * Entries and problems come out in a stable order (folders and files sorted by NFC name), one person
 * folder at a time, so memory stays bounded by the largest folder.
 */
import { statSync, type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export const DEFAULT_SKIP_FOLDERS: readonly string[] = Object.freeze([
  'not_me',
  'noFace',
  'multipleFaces',
  'same_face',
  'same_default_files',
  '外れ値ファイル',
]);

export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.webp']);

export interface DatasetEntry {
  kind: 'image';
  /** Person folder name, NFC. */
  identity: string;
  /** `<identity>/<file>`, NFC, '/'-separated, relative to the root: the stable key of an image. */
  relPath: string;
  /** Where to open the file: built from the names as they are on disk (which may be NFD), not from relPath. */
  absPath: string;
  size: number;
  mtimeMs: number;
}

export type DatasetProblemCode =
  /** An image directly in the root, outside any person folder (note). */
  | 'root-file'
  /** A folder inside a person folder that is not in the skip list (note). */
  | 'nested-folder'
  /** A symlink (to a file or a folder) that stays inside the root: not indexed, its target is (note). */
  | 'symlink-inside-root'
  | 'symlink-outside-root'
  | 'broken-symlink'
  /** A folder that cannot be listed or a file that cannot be stat'ed. */
  | 'unreadable'
  /** Something with an image name that is not a regular file (FIFO, socket, device). */
  | 'not-a-file'
  /** Two names on disk that are the same after NFC normalisation; the second is skipped. */
  | 'name-clash';

export interface DatasetProblem {
  kind: 'problem';
  code: DatasetProblemCode;
  /** `note`: ignored by design, worth telling the user; `error`: something could not be read or was refused. */
  severity: 'note' | 'error';
  /** NFC, '/'-separated, relative to the root. */
  relPath: string;
  identity: string | null;
  reason: string;
}

export interface WalkOptions {
  /** Folder names inside a person folder to skip; compared NFC-normalised and case-insensitively. */
  skipFolders?: Iterable<string>;
}

/** The root itself is unusable: nothing can be walked. The job fails with this message. */
export class DatasetRootError extends Error {
  constructor(
    readonly root: string,
    message: string,
  ) {
    super(message);
    this.name = 'DatasetRootError';
  }
}

export function isImageName(name: string): boolean {
  return !name.startsWith('.') && IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** True when `child` is `parent` or below it; both must already be real (symlink-free) absolute paths. */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

const foldKey = (name: string) => name.normalize('NFC').toLowerCase();
const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code ?? String(err);

type Kind = 'file' | 'dir' | 'other';

interface Walk {
  rootAbs: string;
  rootReal: string;
  skip: Set<string>;
}

export async function* walkDataset(root: string, options: WalkOptions = {}): AsyncGenerator<DatasetEntry | DatasetProblem> {
  const rootAbs = path.resolve(root);
  const walk: Walk = {
    rootAbs,
    rootReal: '',
    skip: new Set([...(options.skipFolders ?? DEFAULT_SKIP_FOLDERS)].map(foldKey)),
  };
  let top: Dirent[];
  try {
    if (!(await stat(rootAbs)).isDirectory()) throw new DatasetRootError(rootAbs, `dataset root ${rootAbs} is not a directory`);
    walk.rootReal = await realpath(rootAbs);
    top = await readdir(rootAbs, { withFileTypes: true });
  } catch (err) {
    if (err instanceof DatasetRootError) throw err;
    const code = errCode(err);
    throw new DatasetRootError(rootAbs, code === 'ENOENT' ? `dataset root ${rootAbs} does not exist` : `dataset root ${rootAbs} cannot be read (${code})`);
  }

  for (const { dirent, nfc, clash } of sortedByNfc(top)) {
    if (clash) {
      yield problem('name-clash', 'error', nfc, null, `"${dirent.name}" is the same name as another entry after NFC normalisation; skipped`);
      continue;
    }
    const resolved = await resolveKind(walk, path.join(rootAbs, dirent.name), dirent, nfc, null);
    if (typeof resolved !== 'string') {
      yield resolved;
    } else if (resolved === 'dir') {
      yield* walkPerson(walk, dirent.name, nfc);
    } else if (isImageName(nfc)) {
      yield problem('root-file', 'note', nfc, null, 'image directly in the dataset root, not in a person folder: ignored');
    }
  }
}

async function* walkPerson(walk: Walk, dirName: string, identity: string): AsyncGenerator<DatasetEntry | DatasetProblem> {
  const dirAbs = path.join(walk.rootAbs, dirName);
  let dirents: Dirent[];
  try {
    dirents = await readdir(dirAbs, { withFileTypes: true });
  } catch (err) {
    yield problem('unreadable', 'error', identity, identity, `person folder cannot be listed (${errCode(err)})`);
    return;
  }
  for (const { dirent, nfc, clash } of sortedByNfc(dirents)) {
    const relPath = `${identity}/${nfc}`;
    const isDirLike = dirent.isDirectory() || dirent.isSymbolicLink();
    if (isDirLike && walk.skip.has(foldKey(nfc))) continue;
    if (!isDirLike && !isImageName(nfc)) continue;
    if (clash) {
      yield problem('name-clash', 'error', relPath, identity, `"${dirent.name}" is the same name as another entry after NFC normalisation; skipped`);
      continue;
    }
    const absPath = path.join(dirAbs, dirent.name);
    const resolved = await resolveKind(walk, absPath, dirent, relPath, identity);
    if (typeof resolved !== 'string') {
      yield resolved;
    } else if (resolved === 'dir') {
      yield problem('nested-folder', 'note', relPath, identity, 'folder inside a person folder is not in the skip list: its files were not scanned');
    } else if (!isImageName(nfc)) {
      continue;
    } else if (resolved === 'other') {
      yield problem('not-a-file', 'error', relPath, identity, 'has an image name but is not a regular file');
    } else {
      // Synchronous on purpose: ~3x faster than fs.promises.stat (no thread-pool round trip), 57k files
      // in well under a second; the event loop still gets a turn at every folder's async readdir.
      let item: DatasetEntry | DatasetProblem;
      try {
        const st = statSync(absPath);
        item = { kind: 'image', identity, relPath, absPath, size: st.size, mtimeMs: st.mtimeMs };
      } catch (err) {
        item = problem('unreadable', 'error', relPath, identity, `cannot be stat'ed (${errCode(err)})`);
      }
      yield item;
    }
  }
}

/** What an entry is; a symlink is always a problem or a note, never something to walk into or index. */
async function resolveKind(walk: Walk, absPath: string, dirent: Dirent, relPath: string, identity: string | null): Promise<Kind | DatasetProblem> {
  if (!dirent.isSymbolicLink()) return dirent.isDirectory() ? 'dir' : dirent.isFile() ? 'file' : 'other';
  let target: string;
  try {
    target = await realpath(absPath);
  } catch (err) {
    return problem('broken-symlink', 'error', relPath, identity, `symlink cannot be resolved (${errCode(err)})`);
  }
  if (!isInside(walk.rootReal, target)) {
    return problem('symlink-outside-root', 'error', relPath, identity, `symlink leads outside the dataset root (to ${target}): refused`);
  }
  let st;
  try {
    st = await stat(target);
  } catch (err) {
    return problem('unreadable', 'error', relPath, identity, `symlink target cannot be stat'ed (${errCode(err)})`);
  }
  // A link that would not have been indexed or walked anyway (a link to a README) is not worth a note.
  if (!st.isDirectory() && !isImageName(path.basename(relPath))) return 'other';
  const to = path.relative(walk.rootReal, target).split(path.sep).join('/').normalize('NFC') || '.';
  return problem(
    'symlink-inside-root',
    'note',
    relPath,
    identity,
    `symlink to ${to}, inside the dataset root: not indexed, so no image is paired with a link to itself`,
  );
}

/** Non-hidden entries sorted by NFC name; `clash` marks a later entry whose NFC name an earlier one already has. */
function sortedByNfc(dirents: Dirent[]): { dirent: Dirent; nfc: string; clash: boolean }[] {
  const named = dirents
    .filter((d) => !d.name.startsWith('.'))
    .map((dirent) => ({ dirent, nfc: dirent.name.normalize('NFC'), clash: false }))
    .sort((a, b) => (a.nfc < b.nfc ? -1 : a.nfc > b.nfc ? 1 : a.dirent.name < b.dirent.name ? -1 : 1));
  for (let i = 1; i < named.length; i++) named[i].clash = named[i].nfc === named[i - 1].nfc;
  return named;
}

function problem(code: DatasetProblemCode, severity: 'note' | 'error', relPath: string, identity: string | null, reason: string): DatasetProblem {
  return { kind: 'problem', code, severity, relPath, identity, reason };
}
