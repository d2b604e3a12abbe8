import type { Role } from '@/lib/generated/prisma/client';
import { forbidden, unauthorized } from '@/lib/errors';
import { usersRepository, type UserRecord } from '@/lib/repositories/users';
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

/** The signed-in user of a request (bearer token or session cookie), or null. Disabled users are nobody. */
export async function userFromHeaders(headers: Headers, method = 'GET'): Promise<SessionUser | null> {
  // Inside the web server only: the CLI and tests make one-off lookups with nothing to gain.
  if (process.env.NEXT_RUNTIME === 'nodejs') rememberUsers();
  const authorization = headers.get('authorization');
  if (authorization) {
    const token = authorization.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) return null;
    const tokenHash = hashApiToken(token);
    const user = await rememberedUser(`token:${tokenHash}`, () => usersRepository.findByTokenHash(tokenHash));
    return user && !user.disabled ? user : null;
  }
  const userId = readSessionValue(cookieValue(headers.get('cookie'), SESSION_COOKIE));
  if (userId === null) return null;
  if (STATE_CHANGING.has(method) && !isSameOriginRequest(headers)) return null;
  const user = await rememberedUser(`session:${userId}`, () => usersRepository.findById(userId));
  return user && !user.disabled ? user : null;
}

const rank: Record<Role, number> = { curator: 1, admin: 2 };

export async function requireRole(headers: Headers, method: string, role: Role): Promise<SessionUser> {
  const user = await userFromHeaders(headers, method);
  if (!user) throw unauthorized();
  if (rank[user.role] < rank[role]) throw forbidden();
  return user;
}
