import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { forgetUsers } from '@/lib/auth/remembered-users';
import { signInThrottle } from '@/lib/auth/sign-in-throttle';
import { hashApiToken, newApiToken } from '@/lib/auth/tokens';
import { AppError, conflict, notFound } from '@/lib/errors';
import { usersRepository, type UserRecord } from '@/lib/repositories/users';
import { addUserSchema, updateUserSchema } from '@/lib/schemas/users';

/**
 * Every write to users or tokens goes through here and is forgotten at once by this process's
 * memory of signed-in users; the trigger's notice tells every other process a moment later.
 */
async function changed<T>(write: Promise<T>): Promise<T> {
  const result = await write;
  forgetUsers();
  return result;
}

export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

/**
 * Adds a user; returns the password when one was generated. An existing name is refused unless
 * `replaceExisting` (the CLI's `user add`, documented to change a user's role and password).
 */
export async function addUser(
  input: z.input<typeof addUserSchema>,
  { replaceExisting = false } = {},
): Promise<{ user: UserRecord; generatedPassword?: string }> {
  const { name, role, password } = addUserSchema.parse(input);
  const existing = replaceExisting ? null : await usersRepository.findByName(name);
  if (existing) throw conflict(`a user named "${name}" exists: change their role or password with PATCH /api/users/${existing.id}`, { id: existing.id });
  const generatedPassword = password ? undefined : generatePassword();
  const user = await changed(usersRepository.upsert(name, role, await hashPassword(password ?? generatedPassword!)));
  return { user, generatedPassword };
}

export async function updateUser(id: number, input: z.input<typeof updateUserSchema>): Promise<UserRecord> {
  const { role, disabled, password } = updateUserSchema.parse(input);
  const user = await usersRepository.findById(id);
  if (!user) throw notFound(`no user ${id}`);
  const stopsBeingAdmin = user.role === 'admin' && !user.disabled && (role === 'curator' || disabled === true);
  if (stopsBeingAdmin && (await usersRepository.countEnabledAdmins()) <= 1) {
    throw conflict(`${user.name} is the last admin: make another user admin first, or nobody could change settings or users`);
  }
  // a new password or a disabled account ends every session (a re-enabled one starts afresh)
  const endSessions = Boolean(password) || disabled === true;
  return changed(usersRepository.update(id, { role, disabled, ...(password ? { passwordHash: await hashPassword(password) } : {}) }, { endSessions }));
}

/** Sign-out: ends every browser session of the user, wherever it was signed in. */
export async function endSessions(userId: number): Promise<void> {
  await changed(usersRepository.endSessions(userId));
}

/** The user for a name and password, or null; the same time is spent whether or not the name exists. */
export async function authenticatePassword(name: string, password: string): Promise<UserRecord | null> {
  const user = await usersRepository.findWithPassword(name);
  const ok = await verifyPassword(password, user?.passwordHash ?? 'scrypt$32768$8$1$AAAA$AAAA');
  return user && ok && !user.disabled ? user : null;
}

/**
 * Password sign-in with backoff (see lib/auth/sign-in-throttle.ts): the user, null for a wrong
 * name or password, or 429 while the account or address must wait.
 */
export async function signIn(name: string, password: string, address: string): Promise<UserRecord | null> {
  const attempt = signInThrottle.attempt(name, address);
  if ('retryAfterSeconds' in attempt) {
    const { retryAfterSeconds } = attempt;
    throw new AppError(429, `too many failed sign-ins: try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}`, { retryAfterSeconds });
  }
  const user = await authenticatePassword(name, password);
  if (!user) return null;
  attempt.succeeded();
  return user;
}

function userNamed(user: UserRecord | null, userName: string): UserRecord {
  if (!user) throw notFound(`no user named "${userName}" (add one with: facesift user add ${userName} --role curator)`);
  return user;
}

/** How long a new API token lasts unless asked otherwise: long enough for a script, short enough to age out a forgotten one. */
export const API_TOKEN_DEFAULT_DAYS = 90;

/** A new token for the user, lasting `expiresInDays` (null: until revoked). */
export async function createApiToken(userName: string, { expiresInDays = API_TOKEN_DEFAULT_DAYS as number | null } = {}): Promise<string> {
  const user = userNamed(await usersRepository.findByName(userName), userName);
  const { token, tokenHash } = newApiToken();
  const createdAt = new Date();
  const expiresAt = expiresInDays === null ? null : new Date(createdAt.getTime() + expiresInDays * 24 * 3600 * 1000);
  await changed(usersRepository.addToken(user.id, tokenHash, createdAt, expiresAt));
  return token;
}

/** Revokes every token of the user; returns how many there were. */
export async function revokeApiTokens(userName: string): Promise<number> {
  const user = userNamed(await usersRepository.findByName(userName), userName);
  return changed(usersRepository.deleteTokensOf(user.id));
}

export async function revokeApiToken(token: string): Promise<void> {
  if (!(await changed(usersRepository.deleteToken(hashApiToken(token))))) throw notFound('no such token: revoked already, or never issued here');
}

export const listUsers = () => usersRepository.list();
