import { prepareDatabase } from '@/lib/db/connection';
import { jobIdSchema } from '@/lib/schemas/job-queries';
import type { JobView } from '@/lib/schemas/responses';
import { jobFamily, jobsToWaitFor, listJobs } from '@/lib/services/job-views';
import { intOption, log, UsageError, type CommandValues } from '@/lib/cli/command';
import { progressReporter } from '@/lib/cli/progress';

const POLL_MS = 500;
const isActive = (job: JobView) => job.status === 'queued' || job.status === 'running';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Blocks until the queue has drained (or the job and what it led to are settled), with the running
 * job's progress on stderr. Exit 0 when all of them finished, 1 naming each that failed and why.
 */
export async function jobsWaitCommand(_values: CommandValues, positionals: string[]): Promise<number> {
  const [id] = positionals;
  if (id !== undefined && !jobIdSchema.safeParse(id).success) throw new UsageError(`"${id}" is not a job id (usage: jobs wait [ID])`);
  await prepareDatabase();
  const since = new Date();
  const seen = new Set<string>();
  let current = null as { id: string; bar: ReturnType<typeof progressReporter> } | null;
  let jobs: JobView[];
  for (;;) {
    jobs = id ? await jobFamily(id) : await jobsToWaitFor(since, [...seen]);
    if (id && jobs.length === 0) throw new Error(`no job ${id}`);
    jobs.forEach((job) => seen.add(job.id));
    const running = jobs.find((job) => job.status === 'running') ?? jobs.find(isActive);
    if (running && running.id !== current?.id) {
      current?.bar.end();
      current = { id: running.id, bar: progressReporter(`${running.kind} ${running.id.slice(0, 8)}`) };
    }
    if (running && current) current.bar.update(running);
    if (!running) break;
    await sleep(POLL_MS);
  }
  current?.bar.end();
  const failed = jobs.filter((job) => job.status === 'failed' || job.status === 'cancelled');
  for (const job of failed) log(`${job.kind} ${job.id} ${job.status}${job.error ? `: ${job.error}` : ''}`);
  if (!failed.length) log(jobs.length ? `${jobs.length} job${jobs.length === 1 ? '' : 's'} done` : 'no jobs queued or running');
  return failed.length ? 1 : 0;
}

const ago = (iso: string | null) => (iso ? `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago` : '-');
const rate = (value: number | null) => (value === null ? '-' : `${value >= 10 ? Math.round(value) : value.toFixed(1)}/s`);

function describe(job: JobView): string[] {
  const progress = job.total ? `${job.done + job.failed}/${job.total}${job.failed ? ` (${job.failed} failed)` : ''}` : '-';
  const children = job.children
    ? ` ${job.children.kind}: ${job.children.done}/${job.children.total} done${job.children.failed ? `, ${job.children.failed} failed` : ''}`
    : '';
  const lines = [
    [
      job.id,
      job.kind.padEnd(10),
      job.status.padEnd(9),
      progress.padEnd(16),
      `attempt ${job.attempts}/${job.maxAttempts}`,
      job.createdAt.slice(0, 19).replace('T', ' '),
    ].join('  ') + children,
  ];
  if (job.runner) lines.push(`    running on ${job.runner}, last heartbeat ${ago(job.heartbeatAt)}`);
  for (const worker of job.workers)
    lines.push(
      `    ${worker.runner}: ${worker.items} items in ${worker.seconds.toFixed(1)} s, ${rate(worker.rate)}, last heartbeat ${ago(worker.heartbeatAt)}`,
    );
  for (const attempt of job.failedAttempts) lines.push(`    attempt ${attempt.attempt} on ${attempt.runner ?? '?'}: ${attempt.reason}`);
  if (job.error) lines.push(`    error: ${job.error}`);
  return lines;
}

/** The newest jobs with the workers that ran them (host:pid, last heartbeat, throughput); --json for scripts. */
export async function jobsListCommand(values: CommandValues): Promise<void> {
  const limit = intOption(values.limit, 'limit', 20)!;
  await prepareDatabase();
  const jobs = await listJobs(Math.min(limit, 200));
  if (values.json) process.stdout.write(`${JSON.stringify(jobs, null, 2)}\n`);
  else process.stdout.write(jobs.length ? `${jobs.flatMap(describe).join('\n')}\n` : '');
  if (!values.json && jobs.length === 0) log('no jobs yet');
}
