import { prepareDatabase } from '@/lib/db/connection';
import { stopEmbeddedPostgres } from '@/lib/db/embedded';
import { log, type Command } from '@/lib/cli/command';

export const dbMigrate: Command = {
  name: 'db migrate',
  usage: 'db migrate',
  summary: 'create or update the database schema (every command also does this on start)',
  async run() {
    await prepareDatabase(log);
    log('database is up to date');
  },
};

export const dbStop: Command = {
  name: 'db stop',
  usage: 'db stop',
  summary: 'stop the embedded Postgres under $FACESIFT_HOME/pg',
  async run() {
    if (process.env.DATABASE_URL) log('DATABASE_URL is set: facesift does not manage that server');
    else log((await stopEmbeddedPostgres()) ? 'embedded Postgres stopped' : 'embedded Postgres was not running');
  },
};
