import { getPool } from '@/lib/db';

export interface Health {
  ok: boolean;
  db: 'up' | 'down';
  queue: 'up' | 'down';
}

/** The database answers, and the queue's tables are there (a worker or the app has started pg-boss on it). */
export async function checkHealth(): Promise<Health> {
  let db: Health['db'] = 'down';
  let queue: Health['queue'] = 'down';
  try {
    await getPool().query('SELECT 1');
    db = 'up';
    const { rows } = await getPool().query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`);
    queue = rows[0]?.present ? 'up' : 'down';
  } catch {
    // reported as down below
  }
  return { ok: db === 'up' && queue === 'up', db, queue };
}
