// GET /api/scans/[id] – a scan's status, counters and failures; DELETE – cancel it (admins only)
import { route } from '@/lib/http';
import { jobIdSchema } from '@/lib/schemas/job-queries';
import { cancelJob } from '@/lib/services/jobs';
import { jobDetail } from '@/lib/services/job-views';

export const GET = route({ role: 'admin' }, ({ params }) => jobDetail(jobIdSchema.parse(params.id), 'scan'));

export const DELETE = route({ role: 'admin' }, async ({ params }) => {
  const id = jobIdSchema.parse(params.id);
  await jobDetail(id, 'scan');
  await cancelJob(id);
  return jobDetail(id);
});
