import { hash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '@/lib/generated/prisma/client';

/**
 * The one Prisma client and the one raw pool (bulk COPY/INSERT and keyset queries), shared by the
 * app, the worker and the CLI. Created lazily: entry points first settle DATABASE_URL
 * (lib/db/connection.ts), and Next's build imports modules without a database.
 */
const globalForDb = globalThis as unknown as { prisma?: PrismaClient; pool?: pg.Pool };

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: start facesift through its command (bin/facesift), which sets it');
  return url;
}

export function getPool(): pg.Pool {
  if (!globalForDb.pool) {
    globalForDb.pool = new pg.Pool({ connectionString: databaseUrl(), max: 10, allowExitOnIdle: true });
    // an idle connection that the server closes (a restart, a terminated backend) is dropped from
    // the pool and the next query opens a new one; without a listener the error would end the process
    globalForDb.pool.on('error', (error) => console.error(`database: ${error.message}`));
  }
  return globalForDb.pool;
}

/**
 * A query named after its text, for the hot paths: each pooled connection parses and plans it
 * once and may then keep a generic plan, instead of planning it on every request (a millisecond
 * of the few a page of pairs costs). Values that choose an index (a status, a kind) belong in the
 * text, not in parameters, or the generic plan cannot use the partial index they select.
 */
export function named(text: string): { name: string; text: string } {
  return { name: `q_${hash('sha1', text)}`, text };
}

export function getPrisma(): PrismaClient {
  globalForDb.prisma ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: databaseUrl(), max: 10, allowExitOnIdle: true }),
  });
  return globalForDb.prisma;
}

export async function closeDb(): Promise<void> {
  const { prisma, pool } = globalForDb;
  globalForDb.prisma = undefined;
  globalForDb.pool = undefined;
  await Promise.all([prisma?.$disconnect(), pool?.end()]);
}

/** Runs `work` in one transaction on one pooled connection: committed if it returns, rolled back if it throws. */
export async function withTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
