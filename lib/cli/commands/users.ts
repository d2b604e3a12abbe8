import { prepareDatabase } from '@/lib/db/connection';
import { addUser, createApiToken } from '@/lib/services/users';
import { choiceOption, log, UsageError, type Command } from '@/lib/cli/command';
import { ZodError } from 'zod';
import { zodMessage } from '@/lib/errors';

export const userAdd: Command = {
  name: 'user add',
  usage: 'user add NAME --role admin|curator [--password P]',
  summary: 'add a user (or change an existing one); prints a generated password when none is given',
  options: { role: { type: 'string' }, password: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(values, [name]) {
    if (values.role === undefined) throw new UsageError('--role admin|curator is required');
    const role = choiceOption(values.role, 'role', ['admin', 'curator'] as const, 'curator');
    await prepareDatabase();
    try {
      const { user, generatedPassword } = await addUser({ name, role, password: values.password as string | undefined });
      log(`user ${user.name} (${user.role}) saved`);
      if (generatedPassword) process.stdout.write(`${generatedPassword}\n`);
    } catch (error) {
      if (error instanceof ZodError) throw new UsageError(zodMessage(error));
      throw error;
    }
  },
};

export const token: Command = {
  name: 'token',
  usage: 'token NAME',
  summary: "print a new API token for that user (send it as 'Authorization: Bearer <token>')",
  positionals: { min: 1, max: 1 },
  async run(_values, [name]) {
    await prepareDatabase();
    process.stdout.write(`${await createApiToken(name)}\n`);
  },
};
