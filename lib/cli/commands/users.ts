import { prepareDatabase } from '@/lib/db/connection';
import { addUser, API_TOKEN_DEFAULT_DAYS, createApiToken, revokeApiToken, revokeApiTokens } from '@/lib/services/users';
import { choiceOption, log, UsageError, type CommandValues } from '@/lib/cli/command';
import { ZodError } from 'zod';
import { zodMessage } from '@/lib/errors';

export async function userAddCommand(values: CommandValues, [name]: string[]): Promise<number | void> {
  if (values.role === undefined) throw new UsageError('--role admin|curator is required');
  const role = choiceOption(values.role, 'role', ['admin', 'curator'] as const, 'curator');
  await prepareDatabase();
  try {
    const { user, generatedPassword } = await addUser({ name, role, password: values.password as string | undefined }, { replaceExisting: true });
    log(`user ${user.name} (${user.role}) saved`);
    if (generatedPassword) process.stdout.write(`${generatedPassword}\n`);
  } catch (error) {
    if (error instanceof ZodError) throw new UsageError(zodMessage(error));
    throw error;
  }
}

const LONGEST_TOKEN_DAYS = 3650;

function expiresInDays(value: string | boolean | undefined): number | null {
  if (value === undefined) return API_TOKEN_DEFAULT_DAYS;
  if (value === 'never') return null;
  const days = Number(value);
  if (!Number.isInteger(days) || days <= 0 || days > LONGEST_TOKEN_DAYS) {
    throw new UsageError(`--expires-in must be a whole number of days from 1 to ${LONGEST_TOKEN_DAYS}, or never; got "${value}"`);
  }
  return days;
}

export async function tokenCommand(values: CommandValues, [name]: string[]): Promise<number | void> {
  const days = expiresInDays(values['expires-in']);
  await prepareDatabase();
  const token = await createApiToken(name, { expiresInDays: days });
  log(
    days === null
      ? `token for ${name}: it never expires (end it with: facesift token revoke --token TOKEN)`
      : `token for ${name}: it expires in ${days} day${days === 1 ? '' : 's'}`,
  );
  process.stdout.write(`${token}\n`);
}

export async function tokenRevokeCommand(values: CommandValues, [name]: string[]): Promise<number | void> {
  const token = values.token as string | undefined;
  if ((name === undefined) === (token === undefined))
    throw new UsageError('name a user, or give --token TOKEN, not both (usage: token revoke NAME | token revoke --token TOKEN)');
  await prepareDatabase();
  if (token !== undefined) {
    await revokeApiToken(token);
    log('token revoked');
  } else {
    const count = await revokeApiTokens(name);
    log(`revoked ${count} token${count === 1 ? '' : 's'} of ${name}`);
  }
}
