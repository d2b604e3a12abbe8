import { imagesRepository } from '@/lib/repositories/images';
import type { JobName } from '@/lib/queue/jobs';
import type { ImportJobParams, ScanJobParams, SearchJobParams } from '@/lib/schemas/jobs';
import { jobKinds } from '@/lib/services/job-kinds';
import { jobRunner, type Log } from '@/lib/services/job-runner';
import type { ProgressSnapshot } from '@/lib/services/job-progress';
import { settleScanSettings, type IndexSummary } from '@/lib/services/scan';

/** The job runner over every kind facesift has: what the worker, the API and the CLI start jobs through. */
export const jobs = jobRunner(jobKinds);

type TopLevelJob = 'scan' | 'search' | 'import-npz';
type ParamsOf<K extends TopLevelJob> = K extends 'scan' ? ScanJobParams : K extends 'search' ? SearchJobParams : ImportJobParams;

/** Records a job and hands it to the queue; a worker picks it up. */
export function enqueueJob<K extends TopLevelJob>(kind: K, params: ParamsOf<K>, userId: number | null) {
  return jobs.enqueue(kind as JobName, { ...params }, userId);
}

/**
 * Queues a scan from the command line: the dataset settings it names are settled now, so a wrong
 * root is an answer here and not a failed job later, and a model change makes it a full scan.
 */
export async function enqueueScan(params: ScanJobParams) {
  const { config, modelChanged } = await settleScanSettings(params);
  return enqueueJob('scan', { ...params, root: config.root, force: params.force || modelChanged }, null);
}

/** Runs a job in this process; answers its row, and throws with its reason when it failed. */
export async function runJobInline<K extends TopLevelJob>(kind: K, params: ParamsOf<K>, log: Log, onProgress?: (snapshot: ProgressSnapshot) => void) {
  const row = await jobs.runInline(kind as JobName, { ...params }, { log, onProgress });
  if (row.status !== 'done') throw Object.assign(new Error(row.error ?? `${kind} ${row.id} ended ${row.status}`), { job: row });
  return row;
}

/** The CLI's scan: the same job as a queued one, in this process, with progress shown as it goes. */
export async function runScanInline(params: ScanJobParams, log: Log, onProgress: (snapshot: ProgressSnapshot) => void) {
  const job = await runJobInline('scan', params, log, onProgress);
  const { problems: _problems, embedded: _embedded, unreadable: _unreadable, ...summary } = job.result as unknown as IndexSummary & { embedded: number; unreadable: number };
  const state = await imagesRepository.embedState(job.createdAt, Boolean(job.params.force));
  return { job, summary: summary as Omit<IndexSummary, 'problems'>, state };
}

export const cancelJob = (jobId: string) => jobs.cancel(jobId);
export const retryJob = (jobId: string) => jobs.retry(jobId);
