import { prepareDatabase } from '@/lib/db/connection';
import { addUser, createApiToken } from '@/lib/services/users';
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

export async function tokenCommand(_values: CommandValues, [name]: string[]): Promise<number | void> {
    await prepareDatabase();
    process.stdout.write(`${await createApiToken(name)}\n`);
}
