import { imagesRepository } from '@/lib/repositories/images';
import { scanParamsSchema } from '@/lib/schemas/jobs';
import { defineJobKind } from '@/lib/services/job-runner';
import { indexDataset, settleScanSettings } from '@/lib/services/scan';

/**
 * Images per embed-batch job: at most 128 (large enough to batch inference), and small enough on a
 * small dataset that several workers still share it (about 16 batches, at least 8 images each).
 */
export function embedBatchSize(images: number): number {
  return Math.min(128, Math.max(8, Math.ceil(images / 16)));
}

/**
 * scan: brings the image rows in line with the folders, then fans the embedding out as
 * embed-batch jobs that any worker can take; once the last is done it counts what the scan did.
 */
export const scanJob = defineJobKind({
  name: 'scan',
  params: scanParamsSchema,
  async run({ job, params, progress, log, mergeParams }) {
    const { config, modelChanged } = await settleScanSettings(params);
    // a new model means every vector is stale: from here on (a retry too) this scan is a full one
    const force = params.force || modelChanged;
    if (force !== params.force || params.root !== config.root) await mergeParams({ force, root: config.root });
    const summary = await indexDataset(config.root, log, { allowGone: params.allowGone });
    log(
      `${summary.identities} people, ${summary.images} images: ${summary.added} new, ${summary.changed} changed, ${summary.gone} gone` +
        (summary.problems.length ? `, ${summary.problems.length} problems` : ''),
    );
    for (const problem of summary.problems) log(`  ${problem.path}: ${problem.reason}`);
    await progress.report(summary.problems);
    const ids = await imagesRepository.idsToEmbed(force);
    // a retried scan keeps what it embedded before it stopped, so its done never passes its total
    const before = await imagesRepository.embedState(job.createdAt, force);
    await progress.setTotal(before.remaining + before.done + before.failed);
    await progress.setCounters(before.done, before.failed);
    const size = embedBatchSize(ids.length);
    const children = [];
    for (let start = 0; start < ids.length; start += size)
      children.push({ kind: 'embed-batch' as const, params: { imageIds: ids.slice(start, start + size) } });
    return { result: { ...summary, problems: summary.problems.length }, children };
  },
  async finish({ job, params, progress }) {
    const state = await imagesRepository.embedState(job.createdAt, params.force);
    await progress.setCounters(state.done, state.failed);
    return { result: { embedded: state.done, unreadable: state.failed } };
  },
  then: (params) => (params.search ? [{ kind: 'search', params: {} }] : []),
});
