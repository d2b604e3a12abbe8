import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { newApiToken } from '@/lib/auth/tokens';
import { conflict, notFound } from '@/lib/errors';
import { usersRepository, type UserRecord } from '@/lib/repositories/users';
import { addUserSchema, updateUserSchema } from '@/lib/schemas/users';

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
  const user = await usersRepository.upsert(name, role, await hashPassword(password ?? generatedPassword!));
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
  return usersRepository.update(id, { role, disabled, ...(password ? { passwordHash: await hashPassword(password) } : {}) });
}

/** The user for a name and password, or null; the same time is spent whether or not the name exists. */
export async function authenticatePassword(name: string, password: string): Promise<UserRecord | null> {
  const user = await usersRepository.findWithPassword(name);
  const ok = await verifyPassword(password, user?.passwordHash ?? 'scrypt$32768$8$1$AAAA$AAAA');
  return user && ok && !user.disabled ? user : null;
}

export async function createApiToken(userName: string): Promise<string> {
  const user = await usersRepository.findByName(userName);
  if (!user) throw notFound(`no user named "${userName}" (add one with: facesift user add ${userName} --role curator)`);
  const { token, tokenHash } = newApiToken();
  await usersRepository.addToken(user.id, tokenHash);
  return token;
}

export const listUsers = () => usersRepository.list();
