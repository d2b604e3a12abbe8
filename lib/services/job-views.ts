import { notFound } from '@/lib/errors';
import { jobsRepository, type JobSummaryRow } from '@/lib/repositories/jobs';
import type { JobDetail, JobError, JobView } from '@/lib/schemas/responses';

function toView(job: JobSummaryRow): JobView {
  const processed = job.done + job.failed;
  const seconds = job.startedAt ? ((job.finishedAt?.getTime() ?? Date.now()) - job.startedAt.getTime()) / 1000 : 0;
  const rate = processed > 0 && seconds > 0 ? processed / seconds : null;
  const left = job.total - processed;
  return {
    ...job,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    rate,
    etaSeconds: job.status === 'running' && rate && left > 0 ? left / rate : null,
  };
}

export async function listJobs(limit: number): Promise<JobView[]> {
  return (await jobsRepository.recent(limit)).map(toView);
}

/** One job with its failures; `kind` narrows it (GET /api/scans/[id] answers scans only). */
export async function jobDetail(id: string, kind?: string): Promise<JobDetail> {
  const job = await jobsRepository.find(id);
  if (!job || (kind && job.kind !== kind)) throw notFound(`no ${kind ?? 'job'} ${id}`);
  const errors = job.errors as unknown as JobError[];
  const summary: JobSummaryRow = {
    id: job.id,
    kind: job.kind,
    status: job.status,
    params: job.params as Record<string, unknown>,
    total: job.total,
    done: job.done,
    failed: job.failed,
    errorCount: errors.length,
    error: job.error,
    createdBy: job.createdBy?.name ?? null,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    finishedAt: job.finishedAt,
  };
  return { ...toView(summary), errors };
}
