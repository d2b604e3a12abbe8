import { z } from 'zod';

/**
 * Every job the worker runs: its name and the payload it carries. The worker refuses to start
 * unless each name here has a handler (workers/handlers.ts), so a job can never sit unclaimed.
 * Payloads only point at a Job row; the row holds parameters and progress.
 */
export const jobPayloads = {
  scan: z.object({ jobId: z.string().uuid() }),
  'embed-batch': z.object({ jobId: z.string().uuid(), imageIds: z.array(z.number().int()).min(1) }),
  search: z.object({ jobId: z.string().uuid() }),
  'import-npz': z.object({ jobId: z.string().uuid() }),
  /** One tile of a search run (row block x column block); any worker takes it. */
  'search-tile': z.object({ jobId: z.string().uuid(), runId: z.number().int().positive(), tile: z.number().int().nonnegative() }),
  /** What needs the whole run once its last tile is done; then the run becomes current. */
  'search-finish': z.object({ jobId: z.string().uuid(), runId: z.number().int().positive() }),
} as const;

export type JobName = keyof typeof jobPayloads;
export type JobPayload<N extends JobName> = z.infer<(typeof jobPayloads)[N]>;
export const jobNames = Object.keys(jobPayloads) as JobName[];
