-- One job runner: a job's attempts are bounded and each attempt's reason is kept; a fan-out job's
-- children (embed batches, search tiles) and a job's follow-ups (scan -> search) are rows that
-- point at it, so waiting for "this job and what it started" is a query.
ALTER TABLE "Job"
  ADD COLUMN "parentId" TEXT,
  ADD COLUMN "followsId" TEXT,
  ADD COLUMN "phase" TEXT NOT NULL DEFAULT 'run',
  ADD COLUMN "attempts" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "maxAttempts" INTEGER NOT NULL DEFAULT 3,
  ADD COLUMN "attemptErrors" JSONB NOT NULL DEFAULT '[]',
  ADD COLUMN "inline" BOOLEAN NOT NULL DEFAULT false;

ALTER TABLE "Job" ADD CONSTRAINT "Job_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Job" ADD CONSTRAINT "Job_followsId_fkey" FOREIGN KEY ("followsId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE INDEX "Job_parentId_idx" ON "Job"("parentId");
CREATE INDEX "Job_followsId_idx" ON "Job"("followsId");
-- what the reaper reads every few seconds: only running rows
CREATE INDEX "Job_running_heartbeat_idx" ON "Job"("heartbeatAt") WHERE status = 'running';

-- One scan at a time, decided by the database: two requests that both saw no active scan cannot
-- both insert one. Scans that an earlier version let run side by side keep only the oldest.
UPDATE "Job" SET status = 'failed', error = 'another scan was already active', "finishedAt" = now()
 WHERE kind = 'scan' AND status IN ('queued', 'running')
   AND id <> (SELECT id FROM "Job" WHERE kind = 'scan' AND status IN ('queued', 'running') ORDER BY "createdAt", id LIMIT 1);
CREATE UNIQUE INDEX "Job_one_active_scan" ON "Job"(kind) WHERE kind = 'scan' AND status IN ('queued', 'running') AND "parentId" IS NULL;
