import { z } from 'zod';
import { scanParamsSchema } from '@/lib/schemas/jobs';
import { defineJobKind } from '@/lib/services/job-runner';
import { embedImages, settleScanSettings } from '@/lib/services/scan';

/** One slice of a scan's images. A retry embeds only what its earlier attempt did not stamp. */
export const embedBatchJob = defineJobKind({
  name: 'embed-batch',
  params: z.object({ imageIds: z.array(z.number().int()).min(1) }),
  async run({ params, progress, parent }) {
    const scan = await parent();
    if (!scan || scan.status !== 'running') return { result: { skipped: true } };
    const { force } = scanParamsSchema.parse(scan.params);
    const { config } = await settleScanSettings({});
    await embedImages(params.imageIds, config, progress, scan.createdAt, force);
    await progress.flush();
  },
});
