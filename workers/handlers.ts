import { jobKinds } from '@/lib/services/job-kinds';
import type { JobHandlers } from '@/workers/worker';

export const jobHandlers: JobHandlers = jobKinds;
