import { z } from 'zod';

/**
 * Every queue the worker takes jobs from. The worker refuses to start unless each name has a
 * declared job kind (lib/services/job-kinds), so a job can never sit unclaimed. A payload only
 * points at a Job row; the row holds parameters, progress, attempts and the parent it belongs to.
 */
export const jobNames = ['scan', 'embed-batch', 'search', 'search-tile', 'import-npz'] as const;

export type JobName = (typeof jobNames)[number];
export const jobPayloadSchema = z.object({ jobId: z.string().uuid() });
export type JobPayload = z.infer<typeof jobPayloadSchema>;
