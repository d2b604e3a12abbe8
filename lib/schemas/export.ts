import { z } from 'zod';

export type FixListFormat = 'json' | 'csv' | 'sh';
/** seed-csv is not a form of the fix list: it lists the pairs still open, for scripts built around the by-eye pair CSV. */
export type ExportFormat = FixListFormat | 'seed-csv';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'csv', 'seed-csv', 'sh'];

/** GET /api/export's query. */
export const exportQuerySchema = z.strictObject({ format: z.enum(EXPORT_FORMATS as [ExportFormat, ...ExportFormat[]]).default('json') });
