import type { JobHandlers } from '@/workers/worker';

export const jobHandlers: Partial<JobHandlers> = {};
