import type { Command } from '@/lib/cli/command';
import { dbMigrate, dbStop } from '@/lib/cli/commands/db';
import { exportCommand } from '@/lib/cli/commands/export';
import { demoCommand } from '@/lib/cli/commands/demo';
import { importNpzCommand, scanCommand } from '@/lib/cli/commands/scan';
import { candidatesCommand, searchCommand } from '@/lib/cli/commands/search';
import { serveCommand } from '@/lib/cli/commands/serve';
import { token, userAdd } from '@/lib/cli/commands/users';
import { workerCommand } from '@/lib/cli/commands/worker';

export const commands: Command[] = [scanCommand, importNpzCommand, searchCommand, candidatesCommand, exportCommand, serveCommand, workerCommand, demoCommand, dbMigrate, dbStop, userAdd, token];
