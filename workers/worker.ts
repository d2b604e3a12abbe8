import { prepareDatabase } from '@/lib/db/connection';
import { closeDb } from '@/lib/db';
import { stopBoss, wakeWorkersOnQueued, work } from '@/lib/queue/boss';
import { jobNames, jobPayloadSchema } from '@/lib/queue/jobs';
import { jobRunner, superviseJobs, type JobKinds } from '@/lib/services/job-runner';

export type JobHandlers = JobKinds;

export interface RunningWorker {
  /** Stops claiming jobs, lets the running ones finish (up to the timeout), then disconnects. */
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * Claims jobs from the shared queue: any number of workers on any number of machines can run
 * against one database. Refuses to start when a job name has no handler, so nothing can be
 * enqueued that no worker would ever take. While it runs it beats for its jobs and reaps those of
 * workers that stopped beating.
 */
export async function startWorker(handlers: Partial<JobHandlers>, log: (line: string) => void): Promise<RunningWorker> {
  const missing = jobNames.filter((name) => typeof handlers[name]?.run !== 'function');
  if (missing.length) throw new Error(`no handler for job ${missing.map((name) => `"${name}"`).join(', ')}: refusing to start`);
  await prepareDatabase();
  const runner = jobRunner(handlers as JobHandlers);
  for (const name of jobNames) {
    await work(name, async (job) => {
      const started = Date.now();
      log(`job ${name} ${job.id} started`);
      await runner.runQueued(jobPayloadSchema.parse(job.data).jobId, log);
      log(`job ${name} ${job.id} finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  }
  const stopWaking = wakeWorkersOnQueued();
  const stopSupervising = superviseJobs(runner, log);
  log(`worker ${process.pid} ready for ${jobNames.join(', ')}`);
  return {
    async drain(timeoutMs = 60_000) {
      log('worker draining: finishing running jobs, taking no new ones');
      await stopWaking();
      await stopBoss({ graceful: true, timeout: timeoutMs });
      stopSupervising();
      await closeDb();
      log('worker stopped');
    },
  };
}
