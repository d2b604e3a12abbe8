import { z } from 'zod';
import type { EmbedMode } from '@/lib/embedding/embedder';
import { PRESET_NAMES } from '@/lib/embedding/presets';

export const scanParamsSchema = z.object({
  root: z.string().min(1).optional(),
  mode: z.enum(['auto', 'detect', 'aligned'] satisfies readonly EmbedMode[]).optional(),
  model: z.string().min(1).optional(),
  preset: z.enum(PRESET_NAMES).optional(),
  force: z.boolean().default(false),
  search: z.boolean().default(false),
  allowGone: z.boolean().optional(),
});
export type ScanJobParams = z.infer<typeof scanParamsSchema>;

export const searchParamsSchema = z.object({
  threshold: z.number().min(-1).max(1).optional(),
  duplicateThreshold: z.number().min(-1).max(1).optional(),
  maxPairs: z.number().int().positive().optional(),
  /** rows per block of the tiled search (see lib/services/search-run.ts) */
  tileRows: z.number().int().positive().optional(),
});
export type SearchJobParams = z.infer<typeof searchParamsSchema>;

export const importParamsSchema = z.object({ root: z.string().min(1).optional(), key: z.string().min(1).optional(), allowGone: z.boolean().optional() });
export type ImportJobParams = z.infer<typeof importParamsSchema>;

/** POST /api/scans */
export const startScanSchema = z.strictObject({
  mode: z.enum(['incremental', 'full']).default('incremental'),
  search: z.boolean().default(true),
  /** Accept a scan that finds most images gone, which is refused otherwise (an unmounted disk looks like that). */
  allowGone: z.boolean().optional(),
});
