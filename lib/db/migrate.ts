import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '@/lib/paths';

/**
 * Applies the committed SQL of prisma/migrations in order, each in its own transaction, under an
 * advisory lock so that two processes starting at once do not race. Running the SQL ourselves
 * keeps `facesift db migrate` free of Prisma's CLI (whose engines need a download) and fast.
 */
const MIGRATION_LOCK = 7_346_001;

export async function migrate(databaseUrl: string, log: (line: string) => void = () => {}): Promise<string[]> {
  const dir = path.join(projectRoot, 'prisma', 'migrations');
  const names = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS facesift_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await client.query<{ name: string }>('SELECT name FROM facesift_migrations')).rows.map((r) => r.name));
    for (const name of names.filter((n) => !done.has(n))) {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO facesift_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${name} failed: ${(error as Error).message}`);
      }
      applied.push(name);
      log(`applied migration ${name}`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
  return applied;
}
