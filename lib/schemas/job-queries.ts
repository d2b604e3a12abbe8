import { z } from 'zod';

export const jobIdSchema = z.uuid('a job id is a UUID');

/** How many jobs the admin page and GET /api/jobs show unless asked for more. */
export const RECENT_JOBS = 50;

/** GET /api/jobs */
export const listJobsSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(RECENT_JOBS),
});
