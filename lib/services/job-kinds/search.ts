import { searchParamsSchema } from '@/lib/schemas/jobs';
import { defineJobKind } from '@/lib/services/job-runner';
import { runSearch } from '@/lib/services/search';

export const searchJob = defineJobKind({
  name: 'search',
  params: searchParamsSchema,
  async run({ params, progress, log }) {
    return { result: { ...(await runSearch(params, progress, log)) } };
  },
});
