import { prepareDatabase } from '@/lib/db/connection';
import { stopEmbeddedPostgres } from '@/lib/db/embedded';
import { log } from '@/lib/cli/command';

export async function dbMigrateCommand(): Promise<number | void> {
  await prepareDatabase(log);
  log('database is up to date');
}

export async function dbStopCommand(): Promise<number | void> {
  if (process.env.DATABASE_URL) log('DATABASE_URL is set: facesift does not manage that server');
  else log((await stopEmbeddedPostgres()) ? 'embedded Postgres stopped' : 'embedded Postgres was not running');
}
