import fs from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '@/lib/dataset/walk';

export class OutsideRootError extends Error {}

/**
 * The file on disk for a stored relative path, guaranteed inside the dataset root: no `..`, no
 * absolute paths, no symlink that leads out. Paths are stored NFC; a file whose name is NFD on disk
 * (as macOS writes them) is found by comparing normalised names in its folder.
 */
export async function resolveDatasetFile(root: string, relPath: string): Promise<string> {
  const { rootReal, onDisk } = await findOnDisk(root, relPath);
  const real = await fs.realpath(onDisk);
  if (!isInside(rootReal, real)) throw new OutsideRootError(`${relPath} leads outside the dataset root`);
  return real;
}

/**
 * Why deleting one image as a duplicate of the other would delete the copy kept: one of them is a symbolic link,
 * or both name one file (a hard link, or a path through a linked folder). Null for two files, and when either
 * cannot be found (the fix script skips those itself).
 */
export async function sameFileReason(root: string, relA: string, relB: string): Promise<string | null> {
  try {
    const [a, b] = await Promise.all([findOnDisk(root, relA), findOnDisk(root, relB)]);
    for (const [rel, found] of [
      [relA, a],
      [relB, b],
    ] as const) {
      if ((await fs.lstat(found.onDisk)).isSymbolicLink()) return `${rel} is a symbolic link`;
    }
    const [sa, sb] = await Promise.all([fs.stat(a.onDisk), fs.stat(b.onDisk)]);
    return sa.dev === sb.dev && sa.ino === sb.ino ? `${relA} and ${relB} are one file on disk` : null;
  } catch {
    return null;
  }
}

/** The entry a stored path names on disk, links not followed, found by NFC name where the disk holds NFD. */
async function findOnDisk(root: string, relPath: string): Promise<{ rootReal: string; onDisk: string }> {
  const parts = relPath.split('/');
  if (path.isAbsolute(relPath) || parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0'))) {
    throw new OutsideRootError(`${relPath} is not a path inside the dataset`);
  }
  const rootReal = await fs.realpath(root);
  let current = rootReal;
  for (const part of parts) {
    const direct = path.join(current, part);
    try {
      await fs.lstat(direct);
      current = direct;
    } catch {
      const names = await fs.readdir(current);
      const match = names.find((name) => name.normalize('NFC') === part.normalize('NFC'));
      if (!match) throw Object.assign(new Error(`${relPath} is no longer in the dataset`), { code: 'ENOENT' });
      current = path.join(current, match);
    }
  }
  return { rootReal, onDisk: current };
}
