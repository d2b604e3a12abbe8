import type { Command } from '@/lib/cli/command';
import { dbMigrate, dbStop } from '@/lib/cli/commands/db';
import { serveCommand } from '@/lib/cli/commands/serve';
import { token, userAdd } from '@/lib/cli/commands/users';
import { workerCommand } from '@/lib/cli/commands/worker';

export const commands: Command[] = [serveCommand, workerCommand, dbMigrate, dbStop, userAdd, token];
