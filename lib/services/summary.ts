import { datasetSummary as readSummary } from '@/lib/repositories/summary';
import type { DatasetSummary } from '@/lib/schemas/responses';

/** The dashboard's counts. */
export const datasetSummary = (): Promise<DatasetSummary> => readSummary();
