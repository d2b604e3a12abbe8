import { getPool } from '@/lib/db';

/** Empties every facesift table (not the migrations record, not the queue's schema). */
export async function resetDatabase() {
  await getPool().query(`TRUNCATE "Decision", "Outlier", "IdentityPair", "CandidatePair", "Embedding", "Image",
    "Identity", "Job", "ApiToken", "User", "Setting", "PairStatusCount", "ReviewerCount", "ReviewFinding", "DerivedDecision" RESTART IDENTITY CASCADE`);
}
