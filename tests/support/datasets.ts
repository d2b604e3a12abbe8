import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const sampleDataset = path.resolve(__dirname, '..', 'fixtures', 'faces-bbt');

/** A private copy of the 8-person sample, so a test can add, break or move files freely. */
export function copySample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-ds-'));
  fs.cpSync(sampleDataset, dir, { recursive: true });
  return dir;
}
