import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { hashBytes } from '@/lib/dataset/hash';
import { thumbnailDir } from '@/lib/paths';
import { settingsRepository } from '@/lib/repositories/settings';
import { serveImage, THUMB_PIXELS } from '@/lib/services/images';
import { resetDatabase } from '../support/reset';

let root: string;

beforeEach(async () => {
  await resetDatabase();
  process.env.FACESIFT_HOME = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-home-'));
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-images-'));
  await settingsRepository.update({ datasetRoot: root });
});

/** Writes a file into the dataset and records it as a scan would (hash, size, mtime). */
async function addImage(relPath: string, bytes: Buffer, status = 'ok') {
  const file = path.join(root, relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  const stat = fs.statSync(file);
  return recordImage(relPath, hashBytes(bytes), stat.size, stat.mtimeMs, status);
}

async function recordImage(relPath: string, hash: string, size: number, mtimeMs: number, status = 'ok') {
  const pool = getPool();
  const identity = relPath.split('/')[0];
  const { rows } = await pool.query(`INSERT INTO "Identity" (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`, [identity]);
  const image = await pool.query(
    `INSERT INTO "Image" ("identityId", path, "contentHash", size, "mtimeMs", status, "updatedAt") VALUES ($1, $2, $3, $4, $5, $6::"ImageStatus", now()) RETURNING id`,
    [rows[0].id, relPath, hash, size, mtimeMs, status],
  );
  return { id: image.rows[0].id as number, hash };
}

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#4a7' } })
    .png()
    .toBuffer();

const body = async (response: Response) => Buffer.from(await response.arrayBuffer());

describe('serving dataset images', () => {
  it('makes a webp thumbnail that fits 256 px, turned upright by its EXIF orientation, and keeps it on disk by content hash', async () => {
    // stored 400 wide and 200 high, with orientation 6: shown turned a quarter, 200 wide and 400 high
    const jpeg = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#a47' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const { id, hash } = await addImage('amy/portrait.jpg', jpeg);

    const response = await serveImage(id, { size: 'thumb' }, null);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    const thumb = await sharp(await body(response)).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', THUMB_PIXELS / 2, THUMB_PIXELS]);

    const cached = path.join(thumbnailDir(), hash.slice(0, 2), `${hash}-${THUMB_PIXELS}.webp`);
    expect(fs.existsSync(cached)).toBe(true);
    fs.writeFileSync(cached, 'from the cache');
    expect((await body(await serveImage(id, { size: 'thumb' }, null))).toString()).toBe('from the cache');
  });

  it('never enlarges a small image for its thumbnail', async () => {
    const { id } = await addImage('amy/small.png', await png(150, 120));
    const thumb = await sharp(await body(await serveImage(id, { size: 'thumb' }, null))).metadata();
    expect([thumb.width, thumb.height]).toEqual([150, 120]);
  });

  it('serves the original bytes at full size with the content type of the file', async () => {
    const bytes = await png(30, 20);
    const { id } = await addImage('amy/a.png', bytes);
    const response = await serveImage(id, { size: 'full' }, null);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect((await body(response)).equals(bytes)).toBe(true);
  });

  it('streams a full-size image instead of reading it whole, with its length', async () => {
    const bytes = Buffer.concat([await png(30, 20), Buffer.alloc(8 * 1024 * 1024, 7)]);
    const { id } = await addImage('amy/large.png', bytes);
    const response = await serveImage(id, { size: 'full' }, null);
    expect(response.headers.get('content-length')).toBe(String(bytes.length));
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.value!.length).toBeLessThan(bytes.length);
    const rest: Uint8Array[] = [first.value!];
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest.push(chunk.value);
    expect(Buffer.concat(rest).equals(bytes)).toBe(true);
  });

  it('refuses a thumbnail of an image over the pixel limit the scan uses, with the reason', async () => {
    // 8000 x 7000 = 56 MP: over facesift's 50 MP, under sharp's own default of 268 MP.
    const big = await sharp({ create: { width: 8000, height: 7000, channels: 3, background: '#000' } })
      .greyscale()
      .png({ compressionLevel: 1 })
      .toBuffer();
    const { id } = await addImage('amy/big.png', big);
    await expect(serveImage(id, { size: 'thumb' }, null)).rejects.toMatchObject({
      status: 404,
      body: { reason: 'the image is over the 50 MP limit for one image' },
    });
  });

  it('lets a browser keep an image for good only under its current version, and answers a matching ETag with 304', async () => {
    const { id, hash } = await addImage('amy/a.png', await png(30, 20));
    const versioned = await serveImage(id, { size: 'full', v: hash }, null);
    expect(versioned.headers.get('etag')).toBe(`"${hash}-full"`);
    expect(versioned.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect((await serveImage(id, { size: 'full', v: 'an-old-version' }, null)).headers.get('cache-control')).toBe('private, no-cache');
    expect((await serveImage(id, { size: 'full' }, null)).headers.get('cache-control')).toBe('private, no-cache');

    const revalidated = await serveImage(id, { size: 'full' }, `W/"other", "${hash}-full"`);
    expect(revalidated.status).toBe(304);
    expect((await body(revalidated)).length).toBe(0);
    expect((await serveImage(id, { size: 'thumb' }, `"${hash}-full"`)).status).toBe(200);
  });

  it('versions a file edited since the scan by its own size and time, not by the stale hash', async () => {
    const { id, hash } = await addImage('amy/a.png', await png(30, 20));
    fs.writeFileSync(path.join(root, 'amy/a.png'), await png(60, 20));
    const response = await serveImage(id, { size: 'thumb', v: hash }, `"${hash}-thumb"`);
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toContain(hash);
    expect(response.headers.get('cache-control')).toBe('private, no-cache');
    expect((await sharp(await body(response)).metadata()).width).toBe(60);
  });

  it('refuses a file that a symlink leads to outside the dataset root', async () => {
    const outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-outside-')), 'secret.png');
    fs.writeFileSync(outside, await png(10, 10));
    fs.mkdirSync(path.join(root, 'amy'));
    fs.symlinkSync(outside, path.join(root, 'amy', 'link.png'));
    const { id } = await recordImage('amy/link.png', 'x'.repeat(64), 1, 1);
    await expect(serveImage(id, { size: 'full' }, null)).rejects.toMatchObject({
      status: 404,
      body: { reason: expect.stringMatching(/outside the dataset root/) },
    });
  });

  it('refuses a stored path that climbs out of the root', async () => {
    const { id } = await recordImage('../etc/passwd', 'y'.repeat(64), 1, 1);
    await expect(serveImage(id, { size: 'full' }, null)).rejects.toMatchObject({
      status: 404,
      body: { reason: expect.stringMatching(/not a path inside the dataset/) },
    });
  });

  it('answers 404 with the reason for a gone image, a deleted file and one that cannot be decoded', async () => {
    const gone = await addImage('amy/gone.png', await png(10, 10), 'gone');
    await expect(serveImage(gone.id, { size: 'thumb' }, null)).rejects.toMatchObject({ status: 404, body: { reason: expect.any(String) } });

    const deleted = await addImage('amy/deleted.png', await png(10, 10));
    fs.rmSync(path.join(root, 'amy/deleted.png'));
    await expect(serveImage(deleted.id, { size: 'full' }, null)).rejects.toMatchObject({
      status: 404,
      body: { reason: 'amy/deleted.png is no longer in the dataset' },
    });

    const broken = await addImage('amy/broken.png', Buffer.from('not an image'));
    await expect(serveImage(broken.id, { size: 'thumb' }, null)).rejects.toMatchObject({
      status: 404,
      body: { reason: expect.stringMatching(/cannot be decoded/) },
    });

    await expect(serveImage(999_999, { size: 'thumb' }, null)).rejects.toMatchObject({ status: 404 });
  });
});
