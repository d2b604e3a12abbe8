import { healthRepository } from '@/lib/repositories/health';
import type { Health } from '@/lib/schemas/responses';

/** GET /api/health: both parts up, or which one is down. */
export async function checkHealth(): Promise<Health> {
  const { db, queue } = await healthRepository.check();
  return { ok: db && queue, db: db ? 'up' : 'down', queue: queue ? 'up' : 'down' };
}
