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
  const real = await fs.realpath(current);
  if (!isInside(rootReal, real)) throw new OutsideRootError(`${relPath} leads outside the dataset root`);
  return real;
}
