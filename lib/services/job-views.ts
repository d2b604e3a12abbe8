import { notFound } from '@/lib/errors';
import { jobsRepository, type JobSummaryRow, type WorkerShare } from '@/lib/repositories/jobs';
import type { JobChildrenView, JobDetail, JobError, JobView, JobWorkerView } from '@/lib/schemas/responses';

export type { JobDetail, JobStatus, JobView } from '@/lib/schemas/responses';

const iso = (date: Date | null) => date?.toISOString() ?? null;

function toWorker(share: WorkerShare): JobWorkerView {
  return {
    runner: share.runner,
    heartbeatAt: iso(share.heartbeatAt),
    items: share.items,
    seconds: share.seconds,
    rate: share.items > 0 && share.seconds > 0 ? share.items / share.seconds : null,
  };
}

function toView(job: JobSummaryRow, children: JobChildrenView | null, workers: WorkerShare[]): JobView {
  const processed = job.done + job.failed;
  const seconds = job.startedAt ? ((job.finishedAt?.getTime() ?? Date.now()) - job.startedAt.getTime()) / 1000 : 0;
  const rate = processed > 0 && seconds > 0 ? processed / seconds : null;
  const left = job.total - processed;
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    params: job.params,
    total: job.total,
    done: job.done,
    failed: job.failed,
    errorCount: job.errorCount,
    error: job.error,
    createdBy: job.createdBy,
    createdAt: job.createdAt.toISOString(),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
    rate,
    etaSeconds: job.status === 'running' && rate && left > 0 ? left / rate : null,
    phase: job.phase,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    failedAttempts: job.attemptErrors,
    runner: job.runner,
    heartbeatAt: iso(job.heartbeatAt),
    followsId: job.followsId,
    children,
    workers: workers.filter((share) => share.jobId === job.id).map(toWorker),
  };
}

/** Views of top-level rows with their children counted and their workers' shares, in three queries however many. */
export async function describeJobs(rows: JobSummaryRow[]): Promise<JobView[]> {
  const ids = rows.map((row) => row.id);
  const [children, workers] = await Promise.all([jobsRepository.childSummaries(ids), jobsRepository.workerShares(ids)]);
  return rows.map((row) => {
    const summary = children.get(row.id);
    return toView(
      row,
      summary
        ? {
            kind: summary.kind,
            total: summary.total,
            queued: summary.queued,
            running: summary.running,
            done: summary.done,
            failed: summary.failed,
            cancelled: summary.cancelled,
          }
        : null,
      workers,
    );
  });
}

export async function listJobs(limit: number): Promise<JobView[]> {
  return describeJobs(await jobsRepository.recent(limit));
}

/** One job with its failures; `kind` narrows it (GET /api/scans/[id] answers scans only). */
export async function jobDetail(id: string, kind?: string): Promise<JobDetail> {
  const job = await jobsRepository.find(id);
  if (!job || (kind && job.kind !== kind)) throw notFound(`no ${kind ?? 'job'} ${id}`);
  const [view] = await describeJobs([(await jobsRepository.summary(id))!]);
  return { ...view, errors: job.errors as unknown as JobError[] };
}

/** A job and every job it led to (a scan and its search), oldest first; empty when there is no such job. */
export async function jobFamily(id: string): Promise<JobView[]> {
  return describeJobs(await jobsRepository.family(id));
}

/** What `jobs wait` watches: the active jobs, the ones made since it started, and those it saw before. */
export async function jobsToWaitFor(since: Date, seen: string[]): Promise<JobView[]> {
  return describeJobs(await jobsRepository.activeOrSince(since, seen));
}
