// GET /api/jobs/[id] – one job with its failures; DELETE – cancel it (admins only)
import { route } from '@/lib/http';
import { jobIdSchema } from '@/lib/schemas/job-queries';
import { cancelJob } from '@/lib/services/jobs';
import { jobDetail } from '@/lib/services/job-views';

export const GET = route({ role: 'admin' }, ({ params }) => jobDetail(jobIdSchema.parse(params.id)));

export const DELETE = route({ role: 'admin' }, async ({ params }) => {
  const id = jobIdSchema.parse(params.id);
  await cancelJob(id);
  return jobDetail(id);
});
