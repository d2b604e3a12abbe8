import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashBytes, hashFile } from '@/lib/dataset/hash';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'facesift-hash-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('content hashes', () => {
  it('hashBytes is sha256 in lower-case hex', () => {
    expect(hashBytes(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashBytes(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashFile streams a multi-chunk file to the same hash as its bytes', async () => {
    const bytes = randomBytes(3 * (1 << 20) + 12_345);
    const file = path.join(tmp, '杏野なつ 1.png');
    writeFileSync(file, bytes);
    expect(await hashFile(file)).toBe(hashBytes(bytes));
  });

  it('hashFile rejects for a missing file', async () => {
    await expect(hashFile(path.join(tmp, 'missing.png'))).rejects.toThrow(/ENOENT/);
  });
});
