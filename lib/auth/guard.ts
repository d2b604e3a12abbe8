import type { Role } from '@/lib/generated/prisma/client';
import { forbidden, unauthorized } from '@/lib/errors';
import { usersRepository, type TokenOwner, type UserRecord } from '@/lib/repositories/users';
import { rememberedUser, rememberUsers } from '@/lib/auth/remembered-users';
import { hashApiToken, readSessionValue, SESSION_COOKIE } from '@/lib/auth/tokens';

export type SessionUser = Pick<UserRecord, 'id' | 'name' | 'role'>;

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function cookieValue(header: string | null, name: string): string | undefined {
  for (const part of header?.split(';') ?? []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/**
 * A cookie travels with cross-site requests too; SameSite=Lax stops most, and this check stops the
 * rest: a state-changing request authenticated by cookie must come from a page of this origin.
 */
export function isSameOriginRequest(headers: Headers): boolean {
  const host = headers.get('x-forwarded-host') ?? headers.get('host');
  const origin = headers.get('origin');
  if (origin) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return headers.get('sec-fetch-site') === 'same-origin';
}

/**
 * A request that a page of another site made the browser send: it names that site in Origin
 * (`null` when hidden) or says so in Sec-Fetch-Site. Scripts send neither, and stay welcome where
 * a cookie is not what authenticates them (signing in, signing out).
 */
export function isCrossSiteRequest(headers: Headers): boolean {
  const site = headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return true;
  return headers.has('origin') && !isSameOriginRequest(headers);
}

/**
 * The client's address as the nearest proxy saw it: Next passes on an X-Forwarded-For the client
 * sent, or else sets the socket's address; a proxy appends the address it saw to the end.
 */
export function clientAddress(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',').pop()?.trim() || 'unknown';
}

const LOCAL_BASE = 'http://facesift.invalid';

/**
 * Where sign-in may send the browser: a path of this site, else the dashboard. Browsers read
 * `/\host`, `//host` and `/<tab>/host` as another site; resolving the value the way they do and
 * keeping only what stays on this origin catches every spelling of that.
 */
export function localPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(value, LOCAL_BASE);
  } catch {
    return '/';
  }
  return url.origin === LOCAL_BASE ? `${url.pathname}${url.search}${url.hash}` : '/';
}

/** A token's last use, to the minute: a write per request would cost more than the request. */
const USE_RECORDED_EVERY_MS = 60_000;
const useRecorded: Map<string, number> = ((globalThis as { facesiftTokenUse?: Map<string, number> }).facesiftTokenUse ??= new Map());

async function recordTokenUse(tokenHash: string, { tokenId, lastUsedAtMs }: TokenOwner): Promise<void> {
  const now = Date.now();
  if (now - Math.max(lastUsedAtMs ?? 0, useRecorded.get(tokenHash) ?? 0) < USE_RECORDED_EVERY_MS) return;
  useRecorded.set(tokenHash, now);
  await usersRepository.recordTokenUse(tokenId, new Date(now), new Date(now - USE_RECORDED_EVERY_MS));
}

/**
 * The signed-in user of a request (bearer token or session cookie), or null. Disabled users are
 * nobody, and so are expired tokens and cookies of an ended session generation.
 */
export async function userFromHeaders(headers: Headers, method = 'GET'): Promise<SessionUser | null> {
  // Inside the web server only: the CLI and tests make one-off lookups with nothing to gain.
  if (process.env.NEXT_RUNTIME === 'nodejs') rememberUsers();
  const authorization = headers.get('authorization');
  if (authorization) {
    const token = authorization.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) return null;
    const tokenHash = hashApiToken(token);
    const owner = await rememberedUser(`token:${tokenHash}`, () => usersRepository.findToken(tokenHash));
    if (!owner || owner.user.disabled || (owner.expiresAtMs !== null && owner.expiresAtMs <= Date.now())) return null;
    await recordTokenUse(tokenHash, owner);
    return owner.user;
  }
  const session = readSessionValue(cookieValue(headers.get('cookie'), SESSION_COOKIE));
  if (session === null) return null;
  if (STATE_CHANGING.has(method) && !isSameOriginRequest(headers)) return null;
  const user = await rememberedUser(`session:${session.userId}`, () => usersRepository.findById(session.userId));
  return user && !user.disabled && user.sessionGeneration === session.generation ? user : null;
}

const rank: Record<Role, number> = { curator: 1, admin: 2 };

export async function requireRole(headers: Headers, method: string, role: Role): Promise<SessionUser> {
  const user = await userFromHeaders(headers, method);
  if (!user) throw unauthorized();
  if (rank[user.role] < rank[role]) throw forbidden();
  return user;
}
