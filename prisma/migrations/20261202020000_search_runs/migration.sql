-- A search is a run (a generation): its candidates are written into tables of their own while
-- the previous run's stay in place, and become the ones every reader sees when the run is
-- complete, in one short transaction (see lib/repositories/search-runs.ts). Ids come from one
-- sequence per table, so an id names one row of one run, never a row of another.
CREATE TABLE "SearchRun" (
    "id" SERIAL NOT NULL,
    -- building | current | superseded | failed
    "status" TEXT NOT NULL DEFAULT 'building',
    "jobId" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "model" TEXT,
    "threshold" DOUBLE PRECISION,
    "duplicateThreshold" DOUBLE PRECISION,
    "outlierThreshold" DOUBLE PRECISION,
    "maxPairs" INTEGER,
    "tileRows" INTEGER,
    "rows" INTEGER NOT NULL DEFAULT 0,
    "dim" INTEGER NOT NULL DEFAULT 0,
    "tiles" INTEGER NOT NULL DEFAULT 0,
    "tilesDone" INTEGER NOT NULL DEFAULT 0,
    -- qualifying pairs of the tiles done so far (the pair cap is checked against it)
    "qualifying" BIGINT NOT NULL DEFAULT 0,
    -- row blocks and identities, as the planner fixed them
    "plan" JSONB,
    -- per-identity float64 sums of the vectors, label-major: the centroids every tile needs
    "sums" BYTEA,
    -- decisions up to this id were copied onto the run's rows before its indexes were built
    "decisionMark" INTEGER,
    "summary" JSONB,
    "error" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "SearchRun_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SearchRun_one_current_key" ON "SearchRun" ((true)) WHERE "status" = 'current';

-- One tile of a run's upper triangle: row block x column block. A tile's rows and its done mark
-- are written in one transaction, so a retried tile finds either nothing of its earlier attempt
-- or all of it (and then does nothing).
CREATE TABLE "SearchTile" (
    "runId" INTEGER NOT NULL,
    "tile" INTEGER NOT NULL,
    "rowBlock" INTEGER NOT NULL,
    "colBlock" INTEGER NOT NULL,
    -- pending | running | done | failed
    "state" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "runner" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "pairs" INTEGER,
    "qualifying" BIGINT,
    "histogram" DOUBLE PRECISION[],
    "seconds" DOUBLE PRECISION,
    "error" TEXT,

    CONSTRAINT "SearchTile_pkey" PRIMARY KEY ("runId", "tile"),
    CONSTRAINT "SearchTile_runId_fkey" FOREIGN KEY ("runId") REFERENCES "SearchRun"("id") ON DELETE CASCADE
);

-- What the searches before runs wrote becomes run 1.
INSERT INTO "SearchRun" ("status", "finishedAt") VALUES ('current', CURRENT_TIMESTAMP);

-- Rows inserted through a partitioned table itself (by hand, or by a script) go to the current run.
CREATE FUNCTION facesift_current_run() RETURNS INTEGER LANGUAGE sql STABLE AS $$ SELECT id FROM "SearchRun" WHERE status = 'current' $$;

-- Each candidate table becomes a table partitioned by run with only the current run attached:
-- readers query it as before and see one run; a run being built is a plain table nobody reads.
-- Indexes are declared on the partitioned table and each run's table gets the same ones.
DO $$
DECLARE
  t TEXT;
  ix RECORD;
BEGIN
  FOREACH t IN ARRAY ARRAY['CandidatePair', 'IdentityPair', 'Outlier'] LOOP
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_run_1');
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t || '_run_1', t || '_pkey');
    EXECUTE format('ALTER TABLE %I ADD COLUMN "runId" INTEGER NOT NULL DEFAULT 1', t || '_run_1');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY LIST ("runId")', t, t || '_run_1');
    EXECUTE format('ALTER TABLE %I ALTER COLUMN "runId" SET DEFAULT facesift_current_run()', t);
    EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.id', t || '_id_seq', t);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK ("runId" = 1)', t || '_run_1', t || '_run_1_runId_check');
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (1)', t, t || '_run_1');
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY ("id", "runId")', t, t || '_pkey');
    FOR ix IN SELECT indexname, indexdef FROM pg_indexes
               WHERE schemaname = current_schema() AND tablename = t || '_run_1' AND indexname <> t || '_run_1_pkey' LOOP
      IF ix.indexdef LIKE 'CREATE UNIQUE INDEX%' THEN
        -- unique per run: a partitioned table's unique keys include the partition key
        EXECUTE format('DROP INDEX %I', ix.indexname);
        EXECUTE regexp_replace(regexp_replace(ix.indexdef, ' ON \S+ USING ', format(' ON %I USING ', t)), 'USING btree \(', 'USING btree ("runId", ');
      ELSE
        EXECUTE format('ALTER INDEX %I RENAME TO %I', ix.indexname, ix.indexname || '_run_1');
        EXECUTE regexp_replace(ix.indexdef, ' ON \S+ USING ', format(' ON %I USING ', t));
      END IF;
    END LOOP;
  END LOOP;
END
$$;
