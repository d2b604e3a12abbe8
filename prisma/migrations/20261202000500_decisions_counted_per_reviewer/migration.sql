-- Decisions per curator as a ledger, like PairStatusCount: the progress summary that every pairs
-- page and header shows summed every decision ever made (100 ms at a million), and now sums a
-- row per decision since the last fold.
CREATE TABLE "ReviewerCount" (
    "id" SERIAL NOT NULL,
    "userId" INTEGER NOT NULL,
    "decisions" INTEGER NOT NULL,
    "last" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReviewerCount_pkey" PRIMARY KEY ("id")
);
INSERT INTO "ReviewerCount" ("userId", "decisions", "last") SELECT "userId", count(*), max("createdAt") FROM "Decision" GROUP BY "userId";
