import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { runScanInline } from '@/lib/services/jobs';
import { copySample } from '../support/datasets';
import { pngChunk } from '../support/png';
import { resetDatabase } from '../support/reset';
import { runUnprivileged } from '../support/unprivileged';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');
const quiet = () => {};

beforeEach(resetDatabase);

async function imageRows() {
  const { rows } = await getPool().query(
    `SELECT i.path, i."contentHash", i.status::text, i.reason, e.vector, e.dim, i.id
       FROM "Image" i LEFT JOIN "Embedding" e ON e."imageId" = i.id ORDER BY i.path`,
  );
  return rows as { path: string; contentHash: string; status: string; reason: string | null; vector: Buffer | null; dim: number | null; id: number }[];
}

const toVector = (bytes: Buffer) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, k) => sum + value * b[k], 0);

function runCli(args: string[], env: Record<string, string> = {}) {
  const child = spawn(facesift, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0))));
  return { child, exited, stderr: () => stderr };
}

describe('scanning the sample dataset', () => {
  it('embeds all 40 images, and every image’s nearest other image is the same person', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    const rows = await imageRows();
    expect(rows).toHaveLength(40);
    expect(rows.every((row) => row.status === 'ok' && row.dim === 512)).toBe(true);
    const vectors = rows.map((row) => toVector(row.vector!));
    for (const [index, row] of rows.entries()) {
      expect(Math.abs(dot(vectors[index], vectors[index]) - 1)).toBeLessThan(1e-4);
      let best = -1;
      let nearest = -1;
      vectors.forEach((other, j) => {
        if (j === index) return;
        const sim = dot(vectors[index], other);
        if (sim > best) [best, nearest] = [sim, j];
      });
      expect(rows[nearest].path.split('/')[0], `${row.path} is nearest to ${rows[nearest].path}`).toBe(row.path.split('/')[0]);
    }
  });

  it('rescans an unchanged dataset without embedding anything, and picks up new, changed and removed images', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    const first = await imageRows();
    const again = await runScanInline({ root, force: false, search: false }, quiet, quiet);
    expect(again.summary).toMatchObject({ added: 0, changed: 0, gone: 0 });
    expect(again.state.done).toBe(0);
    fs.copyFileSync(path.join(root, 'amy', 'amy1.png'), path.join(root, 'amy', 'amy-copy.png'));
    fs.copyFileSync(path.join(root, 'raj', 'raj1.png'), path.join(root, 'raj', 'raj2.png'));
    fs.rmSync(path.join(root, 'penny', 'penny3.png'));
    const third = await runScanInline({ root, force: false, search: false }, quiet, quiet);
    expect(third.summary).toMatchObject({ added: 1, changed: 1, gone: 1 });
    const rows = await imageRows();
    const byPath = new Map(rows.map((row) => [row.path, row]));
    expect(byPath.get('penny/penny3.png')!.status).toBe('gone');
    expect(byPath.get('raj/raj2.png')!.contentHash).toBe(byPath.get('raj/raj1.png')!.contentHash);
    expect(byPath.get('amy/amy-copy.png')!.contentHash).toBe(byPath.get('amy/amy1.png')!.contentHash);
    expect(byPath.get('amy/amy1.png')!.id).toBe(first.find((row) => row.path === 'amy/amy1.png')!.id);
  });

  it('refuses a second, different dataset root for the same database', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    await expect(runScanInline({ root: copySample(), force: false, search: false }, quiet, quiet)).rejects.toThrow(/this database reviews the dataset at/);
  });

  it('says so when the root is missing', async () => {
    await expect(runScanInline({ root: '/nonexistent/faces', force: false, search: false }, quiet, quiet)).rejects.toThrow(/does not exist/);
  });
});

describe('a root that looks unmounted', () => {
  const emptyRoot = (root: string) => {
    for (const person of fs.readdirSync(root)) fs.rmSync(path.join(root, person), { recursive: true });
  };

  it('refuses a rescan that finds most images gone, marking none gone, and says how to accept it', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    emptyRoot(root);
    await expect(runScanInline({ root, force: false, search: false }, quiet, quiet)).rejects.toThrow(
      /finds 40 of the 40 images gone: is the disk unmounted.*Nothing was marked gone.*--allow-gone/,
    );
    expect((await imageRows()).every((row) => row.status === 'ok')).toBe(true);
    const { rows: jobs } = await getPool().query(`SELECT status::text, error FROM "Job" WHERE "parentId" IS NULL ORDER BY "createdAt"`);
    expect(jobs.map((job) => job.status)).toEqual(['done', 'failed']);
    expect(jobs[1].error).toMatch(/finds 40 of the 40 images gone/);

    const accepted = await runScanInline({ root, force: false, search: false, allowGone: true }, quiet, quiet);
    expect(accepted.summary).toMatchObject({ images: 0, gone: 40 });
    expect((await imageRows()).every((row) => row.status === 'gone')).toBe(true);
  });

  it('still marks gone the images a curator removed when fewer than half go', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    for (const person of ['amy', 'penny', 'raj']) fs.rmSync(path.join(root, person), { recursive: true });
    expect((await runScanInline({ root, force: false, search: false }, quiet, quiet)).summary).toMatchObject({ images: 25, gone: 15 });
  });

  it('takes --allow-gone on the command line', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    emptyRoot(root);
    const refused = runCli(['scan']);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(/finds 40 of the 40 images gone/);
    const accepted = runCli(['scan', '--allow-gone']);
    expect(await accepted.exited).toBe(0);
    expect((await imageRows()).every((row) => row.status === 'gone')).toBe(true);
  });
});

describe('bad input', () => {
  it('records each broken file with its reason and embeds the rest', async () => {
    const root = copySample();
    const amy = path.join(root, 'amy');
    const png = fs.readFileSync(path.join(amy, 'amy1.png'));
    fs.writeFileSync(path.join(amy, 'empty.png'), '');
    fs.writeFileSync(path.join(amy, 'truncated.png'), png.subarray(0, png.length / 3));
    const jpeg = await sharp(png).jpeg().toBuffer();
    fs.writeFileSync(path.join(amy, 'truncated.jpg'), jpeg.subarray(0, jpeg.length / 3));
    fs.writeFileSync(path.join(amy, 'text.png'), 'this is not an image\n');
    // a PNG whose header claims 20000 x 20000 pixels: refused by the pixel limit before any decoding
    const huge = Buffer.from(png);
    huge.writeUInt32BE(20000, 16);
    huge.writeUInt32BE(20000, 20);
    fs.writeFileSync(path.join(amy, 'huge.png'), huge);
    // a 150x150 greyscale PNG whose pixel data inflates to 64 MiB instead of the 22,650 bytes its header promises
    const ihdr = png.subarray(8, 8 + 25);
    const idat = zlib.deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    fs.writeFileSync(path.join(amy, 'bomb.png'), Buffer.concat([png.subarray(0, 8), ihdr, pngChunk('IDAT', idat), pngChunk('IEND', Buffer.alloc(0))]));
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    const rows = new Map((await imageRows()).map((row) => [row.path, row]));
    expect(rows.get('amy/amy1.png')!.status).toBe('ok');
    for (const name of ['empty.png', 'truncated.png', 'truncated.jpg', 'text.png', 'huge.png', 'bomb.png']) {
      const row = rows.get(`amy/${name}`)!;
      expect(row.status, name).toBe('unreadable');
      expect(row.reason, name).toMatch(/\w+/);
    }
    expect(rows.get('amy/empty.png')!.reason).toMatch(/empty/i);
    expect(rows.get('amy/huge.png')!.reason).toMatch(/pixel|large|MP/i);
    expect(rows.get('amy/bomb.png')!.reason).toMatch(/inflates to more than the 150x150 its header promises/);
    const { rows: jobs } = await getPool().query(`SELECT done, failed, errors FROM "Job" WHERE "parentId" IS NULL`);
    expect(jobs[0]).toMatchObject({ done: 40, failed: 6 });
    expect(jobs[0].errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'amy/bomb.png',
      'amy/empty.png',
      'amy/huge.png',
      'amy/text.png',
      'amy/truncated.jpg',
      'amy/truncated.png',
    ]);
  });

  it('records an image it may not read', async () => {
    const root = copySample();
    // readable by anyone but for the one image, as the scan runs as an unprivileged user
    fs.chmodSync(root, 0o755);
    fs.chmodSync(path.join(root, 'amy', 'amy2.png'), 0o000);
    runUnprivileged(`
      import { closeDb } from '@/lib/db';
      import { runScanInline } from '@/lib/services/jobs';
      await runScanInline({ root: ${JSON.stringify(root)}, force: false, search: false }, () => {}, () => {});
      await closeDb();`);
    const row = (await imageRows()).find((r) => r.path === 'amy/amy2.png')!;
    expect(row).toMatchObject({ status: 'unreadable', reason: expect.stringMatching(/permission denied/) });
  });
});

describe('crash safety', () => {
  it('gives the same rows after SIGKILL mid-scan and a rerun as an uninterrupted scan', async () => {
    const root = copySample();
    const uninterrupted = runCli(['scan', '--root', root]);
    expect(await uninterrupted.exited).toBe(0);
    const expected = await imageRows();
    await resetDatabase();

    const killed = runCli(['scan', '--root', root], { FACESIFT_TEST_PAUSE_AFTER_IMAGES: '8' });
    await expect.poll(() => killed.stderr(), { timeout: 60_000, interval: 100 }).toMatch(/paused after \d+ images/);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const partial = await imageRows();
    expect(partial.filter((row) => row.vector).length).toBeGreaterThan(0);
    expect(partial.filter((row) => row.vector).length).toBeLessThan(40);

    const resumed = runCli(['scan', '--root', root]);
    expect(await resumed.exited).toBe(0);
    const actual = await imageRows();
    expect(actual.map((row) => [row.path, row.contentHash, row.status])).toEqual(expected.map((row) => [row.path, row.contentHash, row.status]));
    actual.forEach((row, index) => expect(dot(toVector(row.vector!), toVector(expected[index].vector!))).toBeGreaterThan(0.9999));
    const { rows: jobs } = await getPool().query(`SELECT status::text, error FROM "Job" WHERE "parentId" IS NULL ORDER BY "createdAt"`);
    expect(jobs.map((job) => job.status)).toEqual(['failed', 'done']);
    expect(jobs[0].error).toMatch(/interrupted/);
  });
});
