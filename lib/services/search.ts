import type { SearchJobParams } from '@/lib/schemas/jobs';
import type { JobProgress } from '@/lib/services/job-progress';
import { runSearchInProcess, type SearchSummary } from '@/lib/services/search-run';

export type { SearchSummary } from '@/lib/services/search-run';

/**
 * The whole search in this process: every cross-identity pair at or above the threshold (exact),
 * near-duplicates, outliers and merge suggestions, as a new run that becomes current when complete
 * and keeps every decision. Tiles and progress as a queued search has them.
 */
export async function runSearch(params: SearchJobParams, progress: JobProgress, log: (line: string) => void): Promise<SearchSummary> {
  return runSearchInProcess(progress, params, log);
}
