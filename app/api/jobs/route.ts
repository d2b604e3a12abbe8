// GET /api/jobs?limit=50 – the most recent jobs of every kind, newest first (admins only)
import { route } from '@/lib/http';
import { listJobsSchema } from '@/lib/schemas/job-queries';
import { listJobs } from '@/lib/services/job-views';

export const GET = route({ role: 'admin', query: listJobsSchema }, async ({ query }) => ({ items: await listJobs(query.limit) }));
