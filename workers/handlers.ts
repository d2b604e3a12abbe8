import { handleEmbedBatchJob, handleImportJob, handleScanJob, handleSearchJob } from '@/lib/services/jobs';
import { handleSearchFinishJob, handleSearchTileJob } from '@/lib/services/search-run';
import type { JobHandlers } from '@/workers/worker';

const log = (line: string) => process.stderr.write(`${line}\n`);

export const jobHandlers: JobHandlers = {
  scan: ({ jobId }) => handleScanJob(jobId, log),
  'embed-batch': ({ jobId, imageIds }) => handleEmbedBatchJob(jobId, imageIds, log),
  search: ({ jobId }) => handleSearchJob(jobId, log),
  'import-npz': ({ jobId }) => handleImportJob(jobId, log),
  'search-tile': (payload) => handleSearchTileJob(payload, log),
  'search-finish': (payload) => handleSearchFinishJob(payload, log),
};
