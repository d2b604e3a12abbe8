import { getPool } from '@/lib/db';

export const healthRepository = {
  /** Whether the database answers, and whether the queue's tables are there (a worker or the app has started pg-boss on it). */
  async check(): Promise<{ db: boolean; queue: boolean }> {
    try {
      await getPool().query('SELECT 1');
    } catch {
      return { db: false, queue: false };
    }
    try {
      const { rows } = await getPool().query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS present`);
      return { db: true, queue: Boolean(rows[0]?.present) };
    } catch {
      return { db: true, queue: false };
    }
  },
};
