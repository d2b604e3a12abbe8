import os from 'node:os';
import type { Prisma } from '@/lib/generated/prisma/client';
import { notFound, badRequest } from '@/lib/errors';
import { enqueue } from '@/lib/queue/boss';
import { jobsRepository } from '@/lib/repositories/jobs';
import { imagesRepository } from '@/lib/repositories/images';
import {
  importParamsSchema,
  scanParamsSchema,
  searchParamsSchema,
  type ImportJobParams,
  type ScanJobParams,
  type SearchJobParams,
} from '@/lib/schemas/jobs';
import { JobCancelledError, JobProgress, type ProgressSnapshot } from '@/lib/services/job-progress';
import { importNpz } from '@/lib/services/import-npz';
import { embedImages, indexDataset, settleScanSettings } from '@/lib/services/scan';
import { startQueuedSearch } from '@/lib/services/search-run';

/** Images per embed-batch job: small enough that several workers share a scan, large enough to batch inference. */
const EMBED_BATCH_IMAGES = 128;

type Log = (line: string) => void;
type JobKind = 'scan' | 'search' | 'import-npz';

const paramsSchemas = { scan: scanParamsSchema, search: searchParamsSchema, 'import-npz': importParamsSchema } as const;

/** Records a job and hands it to the queue; a worker picks it up. */
export async function enqueueJob(kind: JobKind, params: ScanJobParams | SearchJobParams | ImportJobParams, userId: number | null) {
  const job = await jobsRepository.create(kind, paramsSchemas[kind].parse(params) as Prisma.InputJsonValue, userId);
  await enqueue(kind, { jobId: job.id });
  return job;
}

async function loadJob(jobId: string) {
  const job = await jobsRepository.find(jobId);
  if (!job) throw notFound(`no job ${jobId}`);
  return job;
}

/** Runs a job body with the bookkeeping every job shares: claimed once, finished or failed with its reason. */
export const thisRunner = () => `${os.hostname()}:${process.pid}`;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Jobs whose runner is gone: a dead process on this host is known at once, one on another host
 * when it has not reported for ten minutes. Their remaining work is done by whoever runs next.
 */
async function markInterruptedJobs(kind: JobKind) {
  for (const job of await jobsRepository.running(kind)) {
    const [host, pid] = (job.runner ?? '').split(':');
    const dead = host === os.hostname() ? !isAlive(Number(pid)) : !job.heartbeatAt || Date.now() - job.heartbeatAt.getTime() > 600_000;
    if (dead) await jobsRepository.markInterrupted(job.id);
  }
}

async function runJobBody(jobId: string, body: () => Promise<'finished' | 'continues'>, log: Log): Promise<void> {
  if (!(await jobsRepository.markRunning(jobId, thisRunner()))) return;
  try {
    if ((await body()) === 'finished') await jobsRepository.finish(jobId, 'done', null);
  } catch (error) {
    if (error instanceof JobCancelledError) {
      log(`job ${jobId} cancelled`);
      return;
    }
    await jobsRepository.finish(jobId, 'failed', (error as Error).message);
    throw error;
  }
}

/**
 * scan: brings the image rows in line with the folders, then fans the embedding out as
 * embed-batch jobs that any worker can take. The scan finishes when no image is left to embed.
 */
export async function handleScanJob(jobId: string, log: Log): Promise<void> {
  await runJobBody(
    jobId,
    async () => {
      const job = await loadJob(jobId);
      const params = scanParamsSchema.parse(job.params);
      const { config, modelChanged } = await settleScanSettings(params);
      // a new model means every vector is stale: from here on this scan is a full one
      if (modelChanged && !params.force) await jobsRepository.mergeParams(jobId, { force: true });
      const progress = new JobProgress(jobId);
      const summary = await indexDataset(config.root, log);
      await progress.report(summary.problems);
      const force = params.force || modelChanged;
      const ids = await imagesRepository.idsToEmbed(force);
      // a retried scan keeps what it embedded before it stopped, so its done never passes its total
      const before = await imagesRepository.embedState(job.createdAt, force);
      await progress.setTotal(before.remaining + before.done + before.failed);
      await jobsRepository.setCounters(jobId, before.done, before.failed);
      if (ids.length === 0) {
        await completeScan(jobId, log);
        return 'continues';
      }
      for (let start = 0; start < ids.length; start += EMBED_BATCH_IMAGES) {
        const imageIds = ids.slice(start, start + EMBED_BATCH_IMAGES);
        await enqueue('embed-batch', { jobId, imageIds }, { singletonKey: `${jobId}:${imageIds[0]}` });
      }
      return 'continues';
    },
    log,
  );
}

export async function handleEmbedBatchJob(jobId: string, imageIds: number[], log: Log): Promise<void> {
  const job = await loadJob(jobId);
  if (job.status !== 'running') return;
  const params = scanParamsSchema.parse(job.params);
  const { config } = await settleScanSettings({});
  const progress = new JobProgress(jobId);
  try {
    await embedImages(imageIds, config, progress, job.createdAt, params.force);
    await progress.flush();
  } catch (error) {
    if (error instanceof JobCancelledError) return;
    throw error;
  }
  await completeScan(jobId, log);
}

/** Finishes the scan once no image is left to embed; of batches finishing together, one wins and queues the search. */
async function completeScan(jobId: string, log: Log): Promise<void> {
  const job = await loadJob(jobId);
  const params = scanParamsSchema.parse(job.params);
  const state = await imagesRepository.embedState(job.createdAt, params.force);
  if (state.remaining > 0) return;
  await jobsRepository.setCounters(jobId, state.done, state.failed);
  if (!(await jobsRepository.finish(jobId, 'done', null))) return;
  if (params.search) {
    const search = await enqueueJob('search', {}, job.createdById);
    log(`scan ${jobId} done; search ${search.id} queued`);
  }
}

export async function handleSearchJob(jobId: string, log: Log): Promise<void> {
  await runJobBody(
    jobId,
    async () => {
      const params = searchParamsSchema.parse((await loadJob(jobId)).params);
      return startQueuedSearch(jobId, params, log);
    },
    log,
  );
}

export async function handleImportJob(jobId: string, log: Log): Promise<void> {
  await runJobBody(
    jobId,
    async () => {
      const params = importParamsSchema.parse((await loadJob(jobId)).params);
      const result = await importNpz(params, new JobProgress(jobId), log);
      await jobsRepository.finish(jobId, 'done', null, result as unknown as Prisma.InputJsonValue);
      return 'finished';
    },
    log,
  );
}

/**
 * The CLI's scan: the same steps as the queued job, in this process, with progress shown as it goes.
 * A scan that a killed CLI left running is marked interrupted; this run does its remaining work.
 */
export async function runScanInline(params: ScanJobParams, log: Log, onProgress: (snapshot: ProgressSnapshot) => void) {
  await markInterruptedJobs('scan');
  const { config, modelChanged } = await settleScanSettings(params);
  const job = await jobsRepository.create('scan', { ...params, root: config.root } as Prisma.InputJsonValue, null);
  const progress = new JobProgress(job.id, onProgress);
  await jobsRepository.markRunning(job.id, thisRunner());
  try {
    const summary = await indexDataset(config.root, log);
    log(
      `${summary.identities} people, ${summary.images} images: ${summary.added} new, ${summary.changed} changed, ${summary.gone} gone` +
        (summary.problems.length ? `, ${summary.problems.length} problems` : ''),
    );
    for (const problem of summary.problems) log(`  ${problem.path}: ${problem.reason}`);
    await progress.report(summary.problems);
    const ids = await imagesRepository.idsToEmbed(params.force || modelChanged);
    await progress.setTotal(ids.length);
    await embedImages(ids, config, progress, job.createdAt, params.force || modelChanged);
    await progress.flush();
    const state = await imagesRepository.embedState(job.createdAt, params.force || modelChanged);
    await jobsRepository.setCounters(job.id, state.done, state.failed);
    await jobsRepository.finish(job.id, 'done', null, { ...summary, problems: summary.problems.length });
    return { job, summary, state };
  } catch (error) {
    await jobsRepository.finish(job.id, 'failed', (error as Error).message);
    throw error;
  }
}

export async function cancelJob(jobId: string) {
  await loadJob(jobId);
  if (!(await jobsRepository.cancel(jobId))) throw badRequest('the job is not queued or running');
}

/** A failed or cancelled job runs again under the same id, from where its data says it stopped. */
export async function retryJob(jobId: string) {
  const job = await loadJob(jobId);
  if (job.status !== 'failed' && job.status !== 'cancelled') throw badRequest(`only failed or cancelled jobs can be retried (this one is ${job.status})`);
  await jobsRepository.requeue(jobId);
  await enqueue(job.kind as JobKind, { jobId });
}
