/**
 * Content hashes (sha256, lower-case hex) that tell a changed image from an unchanged one on rescans.
 * On the scan's hot path hash the bytes the decoder already read with {@link hashBytes}, so each image
 * is read from disk once; {@link hashFile} is for callers that do not read the file otherwise.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function hashBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  // Large chunks: the default 64 KiB means many more round trips for multi-megabyte photos.
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
