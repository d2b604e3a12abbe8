import { getPool } from '@/lib/db';

/** Runs `work` while this process holds a session-level advisory lock: one process at a time, across machines. */
export async function withAdvisoryLock<T>(key: number, work: () => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [key]);
    return await work();
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => {});
    client.release();
  }
}
