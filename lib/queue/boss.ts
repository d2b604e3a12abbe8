import PgBoss from 'pg-boss';
import { jobNames, jobPayloads, type JobName, type JobPayload } from '@/lib/queue/jobs';

/**
 * pg-boss on the same Postgres as the data. Web processes only send; workers also supervise
 * (expire and retry the jobs of a worker that died).
 */
/** How long a claimed job may run before pg-boss deems its worker dead and hands it to another. */
const expireInSeconds: Record<JobName, number> = { scan: 900, 'embed-batch': 300, search: 3600, 'import-npz': 3600, 'search-tile': 600, 'search-finish': 3600 };

const globalForQueue = globalThis as unknown as { boss?: Promise<PgBoss> };

export function getBoss(role: 'sender' | 'worker' = 'sender'): Promise<PgBoss> {
  globalForQueue.boss ??= (async () => {
    const boss = new PgBoss({
      connectionString: process.env.DATABASE_URL,
      schema: 'pgboss',
      max: 4,
      supervise: role === 'worker',
      schedule: false,
    });
    boss.on('error', (error) => console.error(`queue: ${error.message}`));
    await boss.start();
    for (const name of jobNames) await boss.createQueue(name, { name, retryLimit: 3, retryDelay: 5, expireInSeconds: expireInSeconds[name] });
    return boss;
  })();
  return globalForQueue.boss;
}

export async function enqueue<N extends JobName>(name: N, payload: JobPayload<N>, options: PgBoss.SendOptions = {}) {
  const boss = await getBoss();
  return boss.send(name, jobPayloads[name].parse(payload), options);
}

/** Many jobs of one name in one statement (a search's tiles: a thousand and more at a million images). */
export async function enqueueMany<N extends JobName>(name: N, payloads: JobPayload<N>[]) {
  const boss = await getBoss();
  for (let start = 0; start < payloads.length; start += 1000) {
    await boss.insert(payloads.slice(start, start + 1000).map((payload) => ({ name, data: jobPayloads[name].parse(payload) })));
  }
}

export async function stopBoss(options: { graceful: boolean; timeout?: number } = { graceful: true }) {
  const pending = globalForQueue.boss;
  globalForQueue.boss = undefined;
  if (pending) await (await pending).stop({ ...options, wait: true });
}
