import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { facesiftHome } from '@/lib/paths';

export const SESSION_COOKIE = 'facesift_session';
export const SESSION_MAX_AGE_SECONDS = 14 * 24 * 3600;

/** API tokens are 32 random bytes, so a plain sha256 is a safe way to store them. */
export function newApiToken(): { token: string; tokenHash: string } {
  const token = `fs_${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

let cachedSecret: Buffer | undefined;

/** FACESIFT_SESSION_SECRET, else a secret generated once into $FACESIFT_HOME (so restarts keep sessions). */
function sessionSecret(): Buffer {
  if (cachedSecret) return cachedSecret;
  if (process.env.FACESIFT_SESSION_SECRET) return (cachedSecret = Buffer.from(process.env.FACESIFT_SESSION_SECRET));
  const file = path.join(facesiftHome(), 'session-secret');
  try {
    cachedSecret = fs.readFileSync(file);
  } catch {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    cachedSecret = fs.readFileSync(file);
  }
  return cachedSecret;
}

function sign(payload: string): string {
  return createHmac('sha256', sessionSecret()).update(payload).digest('base64url');
}

/** A session names its user and that user's session generation: raising the generation ends it. */
export function createSessionValue(userId: number, generation: number, now = Date.now()): string {
  const payload = `${userId}.${generation}.${Math.floor(now / 1000) + SESSION_MAX_AGE_SECONDS}`;
  return `${payload}.${sign(payload)}`;
}

/** The user id and generation of a valid, unexpired session cookie, else null. */
export function readSessionValue(value: string | undefined, now = Date.now()): { userId: number; generation: number } | null {
  const match = value?.match(/^(\d+)\.(\d+)\.(\d+)\.([A-Za-z0-9_-]+)$/);
  if (!match) return null;
  const [, userId, generation, expires, signature] = match;
  const expected = Buffer.from(sign(`${userId}.${generation}.${expires}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  if (Number(expires) * 1000 < now) return null;
  return { userId: Number(userId), generation: Number(generation) };
}
