// POST /api/jobs/[id]/retry – run a failed or cancelled job again under the same id (admins only)
import { route } from '@/lib/http';
import { jobIdSchema } from '@/lib/schemas/job-queries';
import { retryJob } from '@/lib/services/jobs';
import { jobDetail } from '@/lib/services/job-views';

export const POST = route({ role: 'admin' }, async ({ params }) => {
  const id = jobIdSchema.parse(params.id);
  await retryJob(id);
  return jobDetail(id);
});
