import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { AppError } from '@/lib/errors';
import { OutsideRootError, resolveDatasetFile } from '@/lib/dataset/resolve';
import { DEFAULT_MAX_INPUT_PIXELS } from '@/lib/embedding';
import { thumbnailDir } from '@/lib/paths';
import { identitiesRepository, type StoredImage } from '@/lib/repositories/identities';
import type { ImageQuery, ImageSize } from '@/lib/schemas/images';

export const THUMB_PIXELS = 256;

const CONTENT_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

const unavailable = (id: number, reason: string) => new AppError(404, `image ${id} cannot be shown`, { reason });

/**
 * The version of an image's bytes: its content hash while the file is the one the scan hashed
 * (same size and mtime), else a key from the file's own stat, so an edited file is never served
 * from a stale thumbnail or cached under its old ETag.
 */
function versionOf(image: StoredImage, stat: { size: number; mtimeMs: number }): string {
  const unchanged = image.contentHash && stat.size === image.size && stat.mtimeMs === image.mtimeMs;
  return unchanged ? image.contentHash : `i${image.id}-s${stat.size}-m${Math.round(stat.mtimeMs)}`;
}

async function locate(id: number): Promise<{ image: StoredImage; file: string; size: number; version: string }> {
  const image = await identitiesRepository.image(id);
  if (!image) throw new AppError(404, `no image ${id}`, { reason: 'not in the database' });
  if (image.status === 'gone') throw unavailable(id, image.reason ?? 'no longer in the dataset');
  if (image.status === 'unreadable') throw unavailable(id, image.reason ?? 'the scan could not read it');
  if (!image.datasetRoot) throw unavailable(id, 'no dataset root is set');
  try {
    const file = await resolveDatasetFile(image.datasetRoot, image.path);
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw unavailable(id, `${image.path} is not a file`);
    return { image, file, size: stat.size, version: versionOf(image, stat) };
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (error instanceof OutsideRootError) throw unavailable(id, error.message);
    const code = (error as NodeJS.ErrnoException).code;
    throw unavailable(id, code === 'ENOENT' ? `${image.path} is no longer in the dataset` : `${image.path} cannot be read (${code ?? error})`);
  }
}

const generating = new Map<string, Promise<Buffer>>();

/** Made once per content and size, written whole (temp file, rename) so a reader never sees half a file. */
async function thumbnail(file: string, version: string, imageId: number): Promise<Buffer> {
  const cached = path.join(thumbnailDir(), version.slice(0, 2), `${version}-${THUMB_PIXELS}.webp`);
  try {
    return await fs.readFile(cached);
  } catch {
    // not made yet
  }
  let pending = generating.get(cached);
  if (!pending) {
    pending = (async () => {
      let data: Buffer;
      try {
        data = await sharp(file, { limitInputPixels: DEFAULT_MAX_INPUT_PIXELS })
          .rotate()
          .resize({ width: THUMB_PIXELS, height: THUMB_PIXELS, fit: 'inside', withoutEnlargement: true })
          .webp({ quality: 82 })
          .toBuffer();
      } catch (error) {
        const message = (error as Error).message;
        if (/pixel limit/i.test(message)) throw unavailable(imageId, `the image is over the ${DEFAULT_MAX_INPUT_PIXELS / 1e6} MP limit for one image`);
        throw unavailable(imageId, `the file cannot be decoded (${message})`);
      }
      await fs.mkdir(path.dirname(cached), { recursive: true });
      const temp = `${cached}.${process.pid}.${Date.now()}.tmp`;
      await fs.writeFile(temp, data);
      await fs.rename(temp, cached);
      return data;
    })().finally(() => generating.delete(cached));
    generating.set(cached, pending);
  }
  return pending;
}

function etagMatches(header: string | null, etag: string): boolean {
  return !!header && header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/**
 * An image of the dataset as an HTTP response. The URL names the image by id, so only a request
 * carrying the current version (`v`, which pages take from the content hash) may be cached as
 * immutable; any other is revalidated with the ETag, which costs a 304 and no file read.
 */
export async function serveImage(id: number, query: ImageQuery, ifNoneMatch: string | null): Promise<Response> {
  const { image, file, size: bytes, version } = await locate(id);
  const size: ImageSize = query.size;
  const etag = `"${version}-${size}"`;
  const headers = new Headers({
    ETag: etag,
    'Cache-Control': query.v === version ? 'private, max-age=31536000, immutable' : 'private, no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (etagMatches(ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  if (size === 'thumb') {
    headers.set('Content-Type', 'image/webp');
    return new Response(new Uint8Array(await thumbnail(file, version, id)), { headers });
  }
  headers.set('Content-Type', CONTENT_TYPES[path.extname(image.path).toLowerCase()] ?? 'application/octet-stream');
  headers.set('Content-Length', String(bytes));
  // Streamed, and only as many bytes as the stat saw: a full-size image may be hundreds of megabytes.
  if (bytes === 0) return new Response(null, { headers });
  return new Response(Readable.toWeb(createReadStream(file, { start: 0, end: bytes - 1 })) as ReadableStream<Uint8Array>, { headers });
}
