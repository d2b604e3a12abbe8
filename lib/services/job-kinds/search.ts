import { searchRunsRepository } from '@/lib/repositories/search-runs';
import { searchParamsSchema } from '@/lib/schemas/jobs';
import { defineJobKind } from '@/lib/services/job-runner';
import { capError, finishSearch, planSearch } from '@/lib/services/search-run';
import { TooManyPairsError } from '@/lib/similarity';

/**
 * search: plans a run and fans its tiles out as search-tile jobs that any worker takes (tiles
 * done/total are this job's done/total); once the last is done, the finish step computes what
 * needs the whole run and makes it current.
 */
export const searchJob = defineJobKind({
  name: 'search',
  params: searchParamsSchema,
  async run({ job, params, progress, log }) {
    const run = await planSearch(job.id, params, progress, log);
    return { children: Array.from({ length: run.tiles }, (_, tile) => ({ kind: 'search-tile' as const, params: { runId: run.id, tile } })) };
  },
  async finish({ job, log }) {
    const runId = (await searchRunsRepository.byJob(job.id))?.id;
    if (!runId) throw new Error(`search ${job.id} has no run`);
    try {
      const summary = await finishSearch(runId, log);
      if (!summary) throw new Error(`search run ${runId} is not ready to finish, or another process is finishing it`);
      return { result: { ...summary } };
    } catch (error) {
      if (!(error instanceof TooManyPairsError)) throw error;
      await searchRunsRepository.fail(runId, error.message);
      throw capError(error);
    }
  },
});
