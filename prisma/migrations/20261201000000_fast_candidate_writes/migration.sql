-- Keys are compared for equality only, so they compare byte-wise: a locale collation makes every
-- index build and lookup on them slower (twice as slow to index a million md5 keys under C.UTF-8,
-- more under en_US) and buys nothing. Both sides of each decision join get the same collation.
ALTER TABLE "CandidatePair" ALTER COLUMN "pairKey" TYPE TEXT COLLATE "C";
ALTER TABLE "IdentityPair" ALTER COLUMN "pairKey" TYPE TEXT COLLATE "C";
ALTER TABLE "Outlier" ALTER COLUMN "subjectKey" TYPE TEXT COLLATE "C";
ALTER TABLE "Decision" ALTER COLUMN "subjectKey" TYPE TEXT COLLATE "C";

-- A text column leading an index makes its build three times slower than a float's, and every
-- search rebuilds these. Open pairs (the list curators work through) get a partial index of their
-- own; decided pairs and near-duplicates are few, so small partial indexes serve their filters.
DROP INDEX "CandidatePair_status_similarity_id_idx";
DROP INDEX "CandidatePair_kind_status_similarity_id_idx";
CREATE INDEX "CandidatePair_open_similarity_id_idx" ON "CandidatePair"("similarity" DESC, "id" DESC) WHERE "status" = 'open';
CREATE INDEX "CandidatePair_decided_similarity_id_idx" ON "CandidatePair"("similarity" DESC, "id" DESC) WHERE "status" <> 'open';
CREATE INDEX "CandidatePair_near_duplicate_similarity_id_idx" ON "CandidatePair"("similarity" DESC, "id" DESC) WHERE "kind" = 'near_duplicate';

-- The person filter is "a or b is this person", which the planner answers with a bitmap OR of two
-- indexes: their similarity columns were never read, only built. Flagged outliers are a few
-- hundred in tens of thousands: a partial index holds just them.
DROP INDEX "CandidatePair_identityAId_similarity_id_idx";
DROP INDEX "CandidatePair_identityBId_similarity_id_idx";
CREATE INDEX "CandidatePair_identityAId_idx" ON "CandidatePair"("identityAId");
CREATE INDEX "CandidatePair_identityBId_idx" ON "CandidatePair"("identityBId");
DROP INDEX "Outlier_flagged_score_id_idx";
CREATE INDEX "Outlier_flagged_score_id_idx" ON "Outlier"("score", "id") WHERE "flagged";
