import type { JobKinds } from '@/lib/services/job-runner';
import { embedBatchJob } from '@/lib/services/job-kinds/embed-batch';
import { importNpzJob } from '@/lib/services/job-kinds/import-npz';
import { scanJob } from '@/lib/services/job-kinds/scan';
import { searchJob } from '@/lib/services/job-kinds/search';
import { searchTileJob } from '@/lib/services/job-kinds/search-tile';

/** Every job kind by queue name: what the worker runs and what the CLI runs in-process. */
export const jobKinds = {
  scan: scanJob,
  'embed-batch': embedBatchJob,
  search: searchJob,
  'search-tile': searchTileJob,
  'import-npz': importNpzJob,
} as unknown as JobKinds;
