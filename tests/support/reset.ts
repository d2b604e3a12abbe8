import { getPool } from '@/lib/db';
import { searchRunsRepository } from '@/lib/repositories/search-runs';

/**
 * Empties every facesift table (not the migrations record, not the queue's schema) and leaves the
 * candidates as a new database has them: search run 1 current, with empty tables.
 */
export async function resetDatabase() {
  const { rows } = await getPool().query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c WHERE c.relkind = 'r' AND c.relname ~ '^(CandidatePair|IdentityPair|Outlier)_run_[0-9]+$' AND c.relnamespace = current_schema()::regnamespace`,
  );
  for (const { name } of rows) await getPool().query(`DROP TABLE "${name}"`);
  await getPool().query(`TRUNCATE "Decision", "Outlier", "IdentityPair", "CandidatePair", "Embedding", "Image",
    "Identity", "Job", "ApiToken", "User", "Setting", "PairStatusCount", "ReviewerCount", "SearchTile", "SearchRun", "ReviewFinding", "DerivedDecision" RESTART IDENTITY CASCADE`);
  const runId = await searchRunsRepository.create({
    jobId: null,
    model: '',
    threshold: 0,
    duplicateThreshold: 0,
    outlierThreshold: 0,
    maxPairs: 0,
    tileRows: 0,
    params: {},
  });
  await searchRunsRepository.switchTo(runId, 0, {}, {});
}
