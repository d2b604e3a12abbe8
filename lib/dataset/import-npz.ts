/**
 * The database-free half of `facesift import-npz`: find each person's FACE01 `npKnown.npz`, read it,
 * and pair its rows with that person's image files by basename (NFC on both sides).
 *
 * Results come one person folder at a time so a caller can store and drop each before reading the
 * next (57k rows of 512 floats would otherwise sit in memory together). A malformed npz yields a
 * failure for its folder and the other folders go on.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { l2normalise, NpzFormatError, readNpz, type NpzEmbeddings } from './npz';
import { isInside, type DatasetEntry, type DatasetProblem } from './walk';

export const NPZ_FILE_NAME = 'npKnown.npz';

export interface NpzMatch {
  /** One per image that has a usable row; `vector` is L2-normalised, `dim` floats. */
  matched: { relPath: string; vector: Float32Array }[];
  /** Names in the npz with no image of that name in the person folder (moved, renamed, deleted). */
  unmatchedNames: string[];
  /** relPaths of the folder's images that got no vector: embed them, or report them. */
  filesWithoutVector: string[];
  /** Names listed more than once; only the first row is used. */
  duplicateNames: string[];
  /** Names whose row is all zeros or holds NaN/Infinity: no vector is taken for them. */
  invalidVectorNames: string[];
}

export interface NpzFolderImport extends NpzMatch {
  kind: 'npz';
  identity: string;
  /** e.g. `杏野なつ/npKnown.npz`, NFC, for messages. */
  npzRelPath: string;
  /** The array the vectors came from; the lead records the model as `imported: <key>`. */
  key: string;
  dim: number;
}

export interface NpzFolderFailure {
  kind: 'npz-error';
  identity: string;
  npzRelPath: string;
  /** Names the file and what is wrong, e.g. `raj/npKnown.npz: name.npy has 5 rows but efficientnetv2_arcface.npy has 4`. */
  message: string;
}

export interface NpzLocation {
  identity: string;
  npzRelPath: string;
  absPath: string;
}

/** Pairs npz rows with a person's images. Pure: `images` are that person's walk entries. */
export function matchNpzToImages(npz: NpzEmbeddings, images: readonly DatasetEntry[]): NpzMatch {
  const byName = new Map(images.map((e) => [e.relPath.slice(e.relPath.lastIndexOf('/') + 1), e]));
  const vectors = l2normalise(Float32Array.from(npz.vectors), npz.dim);
  const seen = new Set<string>();
  const withVector = new Set<string>();
  const result: NpzMatch = { matched: [], unmatchedNames: [], filesWithoutVector: [], duplicateNames: [], invalidVectorNames: [] };
  npz.names.forEach((name, row) => {
    if (seen.has(name)) {
      result.duplicateNames.push(name);
      return;
    }
    seen.add(name);
    const image = byName.get(name);
    if (!image) {
      result.unmatchedNames.push(name);
      return;
    }
    const raw = npz.vectors.subarray(row * npz.dim, (row + 1) * npz.dim);
    if (!raw.some((v) => v !== 0) || !raw.every(Number.isFinite)) {
      result.invalidVectorNames.push(name);
      return;
    }
    result.matched.push({ relPath: image.relPath, vector: vectors.subarray(row * npz.dim, (row + 1) * npz.dim) });
    withVector.add(image.relPath);
  });
  result.filesWithoutVector = images.filter((e) => !withVector.has(e.relPath)).map((e) => e.relPath);
  return result;
}

/**
 * `<root>/<person>/npKnown.npz` files, sorted by identity. A file reached through a symlink that
 * leaves the root is left out, as the walk refuses such paths.
 */
export async function findNpzFiles(root: string): Promise<NpzLocation[]> {
  const rootAbs = path.resolve(root);
  const rootReal = await realpath(rootAbs);
  const found = new Map<string, NpzLocation>();
  for (const dirent of await readdir(rootAbs, { withFileTypes: true })) {
    if (dirent.name.startsWith('.') || !(dirent.isDirectory() || dirent.isSymbolicLink())) continue;
    const identity = dirent.name.normalize('NFC');
    const absPath = path.join(rootAbs, dirent.name, NPZ_FILE_NAME);
    try {
      if (!(await stat(absPath)).isFile() || !isInside(rootReal, await realpath(absPath))) continue;
    } catch {
      continue;
    }
    // Two folder names equal after NFC: the walk keeps the first in sort order, so keep that one here too.
    const previous = found.get(identity);
    if (!previous || absPath < previous.absPath) found.set(identity, { identity, npzRelPath: `${identity}/${NPZ_FILE_NAME}`, absPath });
  }
  return [...found.values()].sort((a, b) => (a.identity < b.identity ? -1 : a.identity > b.identity ? 1 : 0));
}

/**
 * Reads every person's npz under `root` and matches it against `entries` (the walk's output for the
 * same root; problems in it are ignored). `key` picks the embedding array when a file holds several.
 */
export async function* readNpzFolders(
  root: string,
  entries: Iterable<DatasetEntry | DatasetProblem>,
  options: { key?: string } = {},
): AsyncGenerator<NpzFolderImport | NpzFolderFailure> {
  const imagesByIdentity = new Map<string, DatasetEntry[]>();
  for (const entry of entries) {
    if (entry.kind !== 'image') continue;
    const list = imagesByIdentity.get(entry.identity);
    if (list) list.push(entry);
    else imagesByIdentity.set(entry.identity, [entry]);
  }
  for (const location of await findNpzFiles(root)) {
    const { identity, npzRelPath } = location;
    let npz: NpzEmbeddings;
    try {
      npz = await readNpz(location.absPath, { displayName: npzRelPath, key: options.key });
    } catch (err) {
      if (!(err instanceof NpzFormatError)) throw err;
      yield { kind: 'npz-error', identity, npzRelPath, message: err.message };
      continue;
    }
    const match = matchNpzToImages(npz, imagesByIdentity.get(identity) ?? []);
    yield { kind: 'npz', identity, npzRelPath, key: npz.key, dim: npz.dim, ...match };
  }
}
