-- The review queue: open findings (what one verdict fixes) and the verdicts candidates inherit from
-- the verdicts that explain them. Both are keyed by names and content hashes, never candidate ids,
-- so a rescan finds them again; both are rebuilt from Decision rows and candidates, never edited by hand.
CREATE TABLE "ReviewFinding" (
  "id" SERIAL PRIMARY KEY,
  "kind" TEXT NOT NULL,
  "key" TEXT NOT NULL,
  "priority" DOUBLE PRECISION NOT NULL,
  "subject" "DecisionSubject" NOT NULL,
  "subjectKey" TEXT NOT NULL,
  "folders" TEXT[] NOT NULL,
  "evidence" INTEGER NOT NULL,
  "detail" JSONB NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX "ReviewFinding_kind_key_key" ON "ReviewFinding" ("kind", "key");
CREATE INDEX "ReviewFinding_priority_idx" ON "ReviewFinding" ("priority" DESC, "id");
CREATE INDEX "ReviewFinding_folders_idx" ON "ReviewFinding" USING gin ("folders");

CREATE TABLE "DerivedDecision" (
  "id" SERIAL PRIMARY KEY,
  "subject" "DecisionSubject" NOT NULL,
  "subjectKey" TEXT NOT NULL,
  "verdict" TEXT NOT NULL,
  "sourceId" INTEGER NOT NULL REFERENCES "Decision" ("id") ON DELETE CASCADE,
  "reason" TEXT NOT NULL
);
CREATE UNIQUE INDEX "DerivedDecision_subject_subjectKey_key" ON "DerivedDecision" ("subject", "subjectKey");
CREATE INDEX "DerivedDecision_sourceId_idx" ON "DerivedDecision" ("sourceId");

-- a finding names its outlier by subject key
CREATE INDEX "Outlier_subjectKey_idx" ON "Outlier" ("subjectKey");
