import { importParamsSchema } from '@/lib/schemas/jobs';
import { defineJobKind } from '@/lib/services/job-runner';
import { importNpz } from '@/lib/services/import-npz';

/** A malformed npz is the data's fault, not the run's: the job ends failed, naming how many, without retrying. */
export const importNpzJob = defineJobKind({
  name: 'import-npz',
  params: importParamsSchema,
  async run({ params, progress, log }) {
    const summary = await importNpz(params, progress, log);
    return { result: { ...summary }, error: summary.failedFolders ? `${summary.failedFolders} npz files could not be imported` : undefined };
  },
});
