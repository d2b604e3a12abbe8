import { getPool } from '@/lib/db';
import { candidatesRepository } from '@/lib/repositories/candidates';
import type { DatasetSummary } from '@/lib/schemas/responses';

export async function datasetSummary(): Promise<DatasetSummary> {
  const { rows } = await getPool().query(`
    SELECT (SELECT "datasetRoot" FROM "Setting" WHERE id = 1) AS "datasetRoot",
           (SELECT count(*) FROM "Identity" WHERE "goneAt" IS NULL)::int AS identities,
           (SELECT count(*) FROM "Image" WHERE status <> 'gone')::int AS images,
           (SELECT count(*) FROM "Image" WHERE status = 'ok' AND "embeddedAt" IS NOT NULL)::int AS embedded,
           (SELECT count(*) FROM "Image" WHERE status IN ('unreadable', 'no_face', 'many_faces'))::int AS problems`);
  const { open = 0, ...decided } = await candidatesRepository.pairStatusCounts();
  return { ...rows[0], openPairs: open, decidedPairs: Object.values(decided).reduce((sum, n) => sum + n, 0) } as DatasetSummary;
}
