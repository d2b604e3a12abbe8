import { z } from 'zod';
import { searchRunsRepository } from '@/lib/repositories/search-runs';
import { defineJobKind } from '@/lib/services/job-runner';
import { runTile } from '@/lib/services/search-run';

/**
 * One tile of a search run. Its rows and done mark commit together, so a retry after a failed or
 * killed attempt starts from nothing and one after a finished attempt does nothing. A tile out of
 * attempts fails its run, which the other tiles then skip.
 */
export const searchTileJob = defineJobKind({
  name: 'search-tile',
  params: z.object({ runId: z.number().int().positive(), tile: z.number().int().nonnegative() }),
  async run({ job, params, progress }) {
    try {
      return { result: await runTile(params.runId, params.tile, progress) };
    } catch (error) {
      if (job.attempts >= job.maxAttempts) await searchRunsRepository.fail(params.runId, (error as Error).message);
      throw error;
    }
  },
});
