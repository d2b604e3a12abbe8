import { JobsPanel } from '@/components/admin/jobs-panel';
import { requirePageUser } from '@/lib/auth/page-user';
import { RECENT_JOBS } from '@/lib/schemas/job-queries';
import { listJobs } from '@/lib/services/job-views';
import { getSettings } from '@/lib/services/settings';

export const metadata = { title: 'Jobs · Admin · facesift' };

// Layouts and pages render in parallel: each admin page checks the role itself before loading data.
export default async function AdminJobsPage() {
  await requirePageUser('admin');
  const [jobs, settings] = await Promise.all([listJobs(RECENT_JOBS), getSettings()]);
  return <JobsPanel initialJobs={jobs} datasetRoot={settings.datasetRoot} />;
}
