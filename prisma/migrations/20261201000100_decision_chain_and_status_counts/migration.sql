-- Each decision names the one it replaced. Two curators answering the same latest decision then
-- collide on this unique index, so a decision is one statement with no lock held across round
-- trips; the first decision of a subject replaces "none" (0).
ALTER TABLE "Decision" ADD COLUMN "previousId" INTEGER;
UPDATE "Decision" d
   SET "previousId" = (SELECT max(p.id) FROM "Decision" p WHERE p.subject = d.subject AND p."subjectKey" = d."subjectKey" AND p.id < d.id);
CREATE UNIQUE INDEX "Decision_subject_subjectKey_previous_key" ON "Decision"("subject", "subjectKey", COALESCE("previousId", 0));

-- Pairs per status as a ledger: a search writes the totals, each decision appends the rows it
-- moved from one status to another. Appending, unlike updating one counter row, never makes two
-- curators' decisions wait for each other; reading sums a row per decision, not a million pairs.
CREATE TABLE "PairStatusCount" (
    "id" SERIAL NOT NULL,
    "status" TEXT NOT NULL,
    "delta" INTEGER NOT NULL,

    CONSTRAINT "PairStatusCount_pkey" PRIMARY KEY ("id")
);
INSERT INTO "PairStatusCount" ("status", "delta") SELECT "status", count(*) FROM "CandidatePair" GROUP BY "status";
