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

/** The sample with amy3 misfiled under penny and raj split over raj and raj_2. */
export function flawedSample(): string {
  const root = copySample();
  fs.renameSync(path.join(root, 'amy', 'amy3.png'), path.join(root, 'penny', 'amy3.png'));
  fs.mkdirSync(path.join(root, 'raj_2'));
  for (const name of ['raj4.png', 'raj5.png']) fs.renameSync(path.join(root, 'raj', name), path.join(root, 'raj_2', name));
  return root;
}
