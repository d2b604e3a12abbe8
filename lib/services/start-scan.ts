import type { z } from 'zod';
import type { SessionUser } from '@/lib/auth/guard';
import { badRequest, conflict } from '@/lib/errors';
import { jobsRepository } from '@/lib/repositories/jobs';
import { settingsRepository } from '@/lib/repositories/settings';
import { similarityStatsRepository } from '@/lib/repositories/similarity-stats';
import type { startScanSchema } from '@/lib/schemas/jobs';
import { enqueueJob, jobs } from '@/lib/services/jobs';
import { embeddingModelName } from '@/lib/services/scan';

/**
 * Queues a rescan of the stored dataset root. A full scan embeds every image again; so does an
 * incremental one when the model or preset changed since the vectors were made (they would not
 * compare with new ones). One scan at a time: two would embed the same images twice. The check
 * here names the active scan; the database's unique index decides when two requests race.
 */
export async function startScan(input: z.infer<typeof startScanSchema>, user: SessionUser): Promise<{ id: string }> {
  const settings = await settingsRepository.get();
  if (!settings.datasetRoot) {
    throw badRequest('no dataset root is set yet: set it under Admin → Settings (or PATCH /api/settings {"datasetRoot": "/path"}) first');
  }
  // a scan whose worker died must not answer 409 until some expiry: heartbeats tell at once
  await jobs.reapInterrupted();
  const active = await jobsRepository.active('scan');
  if (active) throw conflict(`scan ${active.id} is already ${active.status}: wait for it or cancel it first`, { id: active.id });
  const force = input.mode === 'full' || (await similarityStatsRepository.hasOtherModel(embeddingModelName(settings)));
  const job = await enqueueJob('scan', { force, search: input.search, allowGone: input.allowGone }, user.id);
  return { id: job.id };
}
