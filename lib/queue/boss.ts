import type pg from 'pg';
import PgBoss from 'pg-boss';
import { listenTo, type ChannelListener } from '@/lib/db/notifications';
import { withAdvisoryLock } from '@/lib/repositories/locks';
import { jobNames, jobPayloadSchema, type JobName, type JobPayload } from '@/lib/queue/jobs';

/**
 * pg-boss on the same Postgres as the data, as the doorbell only: it wakes a worker for a Job row.
 * The row decides everything else (whether it still runs, its attempts, its retries): a job whose
 * worker died is found by missed heartbeats and requeued by the job runner, and a delivery of a job
 * that is no longer queued is dropped at the claim. pg-boss retries only a delivery whose handler
 * threw, which happens when the job's own bookkeeping could not reach the database; the next
 * delivery then finds the row as it is.
 */
const QUEUE_SETUP_LOCK = 7_346_101;
const DELIVERY = { retryLimit: 10, retryDelay: 5, retryBackoff: true, expireInSeconds: 23 * 3600 };

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
    // one process at a time: workers starting together deadlock creating the queues' partitions
    await withAdvisoryLock(QUEUE_SETUP_LOCK, async () => {
      for (const name of jobNames) {
        const options = { name, ...DELIVERY };
        await boss.createQueue(name, options);
        // a database made by an earlier version has queues with other settings
        const queue = await boss.getQueue(name);
        if (queue?.retryLimit !== options.retryLimit || queue?.expireInSeconds !== options.expireInSeconds) await boss.updateQueue(name, options);
      }
    });
    return boss;
  })();
  globalForQueue.boss.catch(() => (globalForQueue.boss = undefined));
  return globalForQueue.boss;
}

/** Sends inside the caller's transaction when given its client: the Job row and its delivery commit together. */
export async function enqueue(name: JobName, payload: JobPayload, options: { startAfterSeconds?: number; client?: pg.PoolClient; priority?: number } = {}) {
  const boss = await getBoss();
  const db = options.client && { executeSql: (text: string, values: unknown[]) => options.client!.query(text, values) };
  return boss.send(name, jobPayloadSchema.parse(payload), {
    ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    ...(options.priority ? { priority: options.priority } : {}),
    ...(db ? { db } : {}),
  });
}

/** How often an idle worker asks the queue, when no notification reaches it. */
const POLL_SECONDS = 1;
const JOBS_CHANNEL = 'facesift_jobs';
const RELISTEN_MS = 1_000;
/** This process's pg-boss workers by job kind, to wake. */
const workersOf = new Map<string, string[]>();

export async function stopBoss(options: { graceful: boolean; timeout?: number } = { graceful: true }) {
  const pending = globalForQueue.boss;
  globalForQueue.boss = undefined;
  workersOf.clear();
  if (pending) await (await pending).stop({ ...options, wait: true });
}

/**
 * Takes jobs of `name` one at a time. An idle worker polls every second, and is also woken the
 * moment a job of its kind is queued anywhere (see wakeWorkersOnQueued); after a job it asks for
 * the next at once. pg-boss would wait out the rest of its poll after a job shorter than one, and
 * every hop of a search (its plan, each tile, its finish) would wait up to a poll.
 */
export async function work(name: JobName, handler: (job: PgBoss.Job<unknown>) => Promise<void>): Promise<void> {
  const boss = await getBoss('worker');
  let id: string | undefined;
  id = await boss.work(name, { batchSize: 1, pollingIntervalSeconds: POLL_SECONDS }, async ([job]) => {
    try {
      await handler(job);
    } finally {
      if (id) boss.notifyWorker(id);
    }
  });
  workersOf.set(name, [...(workersOf.get(name) ?? []), id]);
}

/**
 * Wakes this process's workers of a kind when a job of it is queued: a trigger on "Job" notifies
 * once the queuing transaction commits. While the listening connection is down, polling alone
 * finds the jobs. Returns the stop.
 */
export function wakeWorkersOnQueued(): () => Promise<void> {
  let listener: ChannelListener | null = null;
  let stopped = false;
  const connect = () => {
    if (stopped) return;
    listener = listenTo(JOBS_CHANNEL, {
      ready: () => {},
      notified: (kind) => {
        const pending = globalForQueue.boss;
        if (!pending) return;
        // a queue that failed to start says so where it is awaited; a wake-up must not crash the worker
        pending.then((boss) => workersOf.get(kind)?.forEach((id) => boss.notifyWorker(id))).catch(() => {});
      },
      lost: () => {
        listener = null;
        if (!stopped) setTimeout(connect, RELISTEN_MS).unref();
      },
    });
  };
  connect();
  return async () => {
    stopped = true;
    await listener?.end();
  };
}
