import { log, parseCommandArgs, UsageError, type CommandSpec } from '@/lib/cli/command';
import { commands } from '@/lib/cli/commands';

function help(): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return [
    'facesift — find and fix mistakes in a one-folder-per-person face dataset',
    '',
    'Usage: facesift <command> [options]',
    '',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Environment: DATABASE_URL (else an embedded Postgres under $FACESIFT_HOME/pg), FACESIFT_HOME (default ./.facesift)',
    'Exit codes: 0 success, 1 failure, 2 bad usage.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  // two words first: `token revoke alice` revokes, `token alice` makes a token
  const command: CommandSpec | undefined =
    commands.find((c) => c.name === `${name} ${rest[0]}`) ?? commands.find((c) => c.name === name && !c.name.includes(' '));
  if (!command) {
    log(`facesift: unknown command "${[name, ...rest.slice(0, 1)].join(' ')}" (see facesift --help)`);
    return 2;
  }
  const args = command.name.includes(' ') ? rest.slice(1) : rest;
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`Usage: facesift ${command.usage}\n  ${command.summary}\n`);
    return 0;
  }
  try {
    const { values, positionals } = parseCommandArgs(command, args);
    return (await (await command.load())(values, positionals)) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      log(`facesift ${command.name}: ${error.message}`);
      return 2;
    }
    log(`facesift ${command.name}: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.FACESIFT_DEBUG) console.error(error);
    return 1;
  } finally {
    // only commands that used the database loaded it
    const { closeDb } = await import('@/lib/db');
    await closeDb().catch(() => {});
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
