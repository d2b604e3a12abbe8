import { ensureEmbeddedPostgres } from '@/lib/db/embedded';
import { migrate } from '@/lib/db/migrate';

/**
 * Decides which Postgres this process uses: DATABASE_URL when set, otherwise the embedded one
 * (started on first use). The answer is put into process.env.DATABASE_URL so that lib/db and any
 * child process (the worker that `serve` starts) use the same server.
 */
export async function resolveDatabaseUrl(): Promise<string> {
  if (!process.env.DATABASE_URL) process.env.DATABASE_URL = await ensureEmbeddedPostgres();
  return process.env.DATABASE_URL;
}

/** Every entry point that reads or writes data calls this once: the schema is always current. */
export async function prepareDatabase(log?: (line: string) => void): Promise<string> {
  const url = await resolveDatabaseUrl();
  await migrate(url, log);
  return url;
}
