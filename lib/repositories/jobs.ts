import type pg from 'pg';
import type { JobStatus, Prisma } from '@/lib/generated/prisma/client';
import { getPool, getPrisma } from '@/lib/db';
import type { JobError } from '@/lib/schemas/responses';

export interface JobCounters {
  status: string;
  total: number;
  done: number;
  failed: number;
  /** false when the row is no longer this attempt's (cancelled, or taken over after missed heartbeats) */
  held: boolean;
}

/** What the runner needs of a row to run it. */
export interface JobRow {
  id: string;
  kind: string;
  status: JobStatus;
  phase: 'run' | 'waiting' | 'finish';
  params: Record<string, unknown>;
  parentId: string | null;
  followsId: string | null;
  attempts: number;
  maxAttempts: number;
  inline: boolean;
  runner: string | null;
  createdById: number | null;
  createdAt: Date;
  result: Record<string, unknown> | null;
  error: string | null;
}

export interface NewJob {
  kind: string;
  params: Record<string, unknown>;
  createdById: number | null;
  parentId?: string | null;
  followsId?: string | null;
  maxAttempts: number;
  inline: boolean;
}

/** The attempt a process holds: every write of a running job names it, so a taken-over attempt writes nothing. */
export interface Attempt {
  id: string;
  attempt: number;
  runner: string;
}

export interface ChildSummary {
  kind: string | null;
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
  /** the first child that ended failed, with its reason */
  firstFailure: { id: string; error: string } | null;
}

export interface WorkerShare {
  jobId: string;
  runner: string;
  heartbeatAt: Date | null;
  items: number;
  seconds: number;
}

type Db = Pick<pg.Pool | pg.PoolClient, 'query'>;

const MAX_STORED_ERRORS = 500;
const ROW = `id, kind, status::text AS status, phase, params, "parentId", "followsId", attempts, "maxAttempts", inline, runner,
             "createdById", "createdAt", result, error`;
const keepLatestErrors = (column: string, added: string) => `(SELECT COALESCE(jsonb_agg(e), '[]'::jsonb) FROM (
    SELECT e FROM jsonb_array_elements(${column} || ${added}) AS e
    OFFSET GREATEST(jsonb_array_length(${column} || ${added}) - ${MAX_STORED_ERRORS}, 0)) AS kept)`;
const attemptError = (reason: string) =>
  `"attemptErrors" || jsonb_build_array(jsonb_build_object('attempt', attempts, 'runner', runner, 'reason', ${reason}, 'at', now()))`;

export const jobsRepository = {
  create(kind: string, params: Prisma.InputJsonValue, createdById: number | null) {
    return getPrisma().job.create({ data: { kind, params, createdById } });
  },
  /** Inserts jobs in one statement (a fan-out may have thousands of children); answers their ids in order. */
  async insert(jobs: NewJob[], db: Db = getPool()): Promise<string[]> {
    if (jobs.length === 0) return [];
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO "Job" (id, kind, params, "createdById", "parentId", "followsId", "maxAttempts", inline)
       SELECT gen_random_uuid()::text, e.j->>'kind', e.j->'params', (e.j->>'createdById')::int, e.j->>'parentId', e.j->>'followsId',
              (e.j->>'maxAttempts')::int, (e.j->>'inline')::boolean
         FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(j, n)
        ORDER BY e.n RETURNING id`,
      [JSON.stringify(jobs.map((job) => ({ parentId: null, followsId: null, ...job })))],
    );
    return rows.map((row) => row.id);
  },
  find(id: string) {
    return getPrisma().job.findUnique({ where: { id }, include: { createdBy: { select: { name: true } } } });
  },
  async row(id: string, db: Db = getPool()): Promise<JobRow | null> {
    const { rows } = await db.query<JobRow>(`SELECT ${ROW} FROM "Job" WHERE id = $1`, [id]);
    return rows[0] ?? null;
  },
  /** Takes a queued job for one attempt; null when it was cancelled, finished or taken by another delivery meanwhile. */
  async claim(id: string, runner: string): Promise<JobRow | null> {
    const { rows } = await getPool().query<JobRow>(
      `UPDATE "Job" SET status = 'running', attempts = attempts + 1, runner = $2, "heartbeatAt" = now(),
              "startedAt" = COALESCE("startedAt", now()), "finishedAt" = NULL
        WHERE id = $1 AND status = 'queued' RETURNING ${ROW}`,
      [id, runner],
    );
    return rows[0] ?? null;
  },
  /** One statement per process and beat, however many jobs it runs; answers the ids it still holds. */
  async beat(runner: string, ids: string[]): Promise<Set<string>> {
    const { rows } = await getPool().query<{ id: string }>(
      `UPDATE "Job" SET "heartbeatAt" = now() WHERE id = ANY($2::text[]) AND runner = $1 AND status = 'running' RETURNING id`,
      [runner, ids],
    );
    return new Set(rows.map((row) => row.id));
  },
  async setTotal(id: string, total: number) {
    await getPool().query(`UPDATE "Job" SET total = $2, done = 0, failed = 0, "heartbeatAt" = now() WHERE id = $1`, [id, total]);
  },
  /**
   * Adds to the counters (several workers may share one job) and answers the job's state. A child's
   * counts go to its parent too, where its per-item failures are kept: the parent is what people watch.
   */
  async addProgress(id: string, done: number, failed: number, errors: JobError[], attempt?: Attempt): Promise<JobCounters> {
    const { rows } = await getPool().query<JobCounters>(
      `WITH me AS (
         UPDATE "Job" SET done = done + $2, failed = failed + $3, "heartbeatAt" = now(),
                errors = CASE WHEN "parentId" IS NULL THEN ${keepLatestErrors('errors', '$4::jsonb')} ELSE errors END
          WHERE id = $1 RETURNING "parentId", status::text, total, done, failed, attempts, runner),
       up AS (
         UPDATE "Job" p SET done = p.done + $2, failed = p.failed + $3, errors = ${keepLatestErrors('p.errors', '$4::jsonb')}
           FROM me WHERE p.id = me."parentId" RETURNING p.id)
       SELECT status, total, done, failed,
              ($5::int IS NULL OR (status = 'running' AND attempts = $5 AND runner = $6)) AS held
         FROM me`,
      [id, done, failed, JSON.stringify(errors), attempt?.attempt ?? null, attempt?.runner ?? null],
    );
    return rows[0];
  },
  /** Ends an attempt as done (with follow-ups written in the same transaction by the caller); false when it was not held. */
  async finishAttempt(attempt: Attempt, status: 'done' | 'failed', error: string | null, result: unknown, db: Db): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE "Job" SET status = $4::"JobStatus", error = $5,
              result = CASE WHEN $6::jsonb IS NULL THEN result ELSE COALESCE(result, '{}'::jsonb) || $6::jsonb END, "finishedAt" = now()
        WHERE id = $1 AND attempts = $2 AND runner = $3 AND status = 'running'`,
      [attempt.id, attempt.attempt, attempt.runner, status, error, result === undefined ? null : JSON.stringify(result)],
    );
    return rowCount === 1;
  },
  /**
   * The attempt handed its work to children: the job waits for them. A queued job lets go of its
   * runner (its children beat for it); an inline one keeps it, since its process runs the children.
   */
  async startWaiting(attempt: Attempt, keepRunner: boolean, result: unknown, db: Db): Promise<boolean> {
    const { rowCount } = await db.query(
      `UPDATE "Job" SET phase = 'waiting', runner = CASE WHEN $4 THEN runner END,
              result = CASE WHEN $5::jsonb IS NULL THEN result ELSE COALESCE(result, '{}'::jsonb) || $5::jsonb END
        WHERE id = $1 AND attempts = $2 AND runner = $3 AND status = 'running'`,
      [attempt.id, attempt.attempt, attempt.runner, keepRunner, result === undefined ? null : JSON.stringify(result)],
    );
    return rowCount === 1;
  },
  /** A failed attempt: queued again while attempts are left and the failure may pass, else failed for good. */
  async failAttempt(attempt: Attempt, reason: string, retryable: boolean, db: Db): Promise<'queued' | 'failed' | null> {
    const { rows } = await db.query<{ status: 'queued' | 'failed' }>(
      `UPDATE "Job" SET status = CASE WHEN $5::boolean AND attempts < "maxAttempts" THEN 'queued' ELSE 'failed' END::"JobStatus",
              "attemptErrors" = ${attemptError('$4::text')},
              error = CASE WHEN $5 AND attempts < "maxAttempts" THEN NULL
                           WHEN $5 AND "maxAttempts" > 1 THEN $4 || ' (attempt ' || attempts || ' of ' || "maxAttempts" || ')' ELSE $4::text END,
              "finishedAt" = CASE WHEN $5 AND attempts < "maxAttempts" THEN NULL ELSE now() END,
              runner = NULL
        WHERE id = $1 AND attempts = $2 AND runner = $3 AND status = 'running' RETURNING status::text`,
      [attempt.id, attempt.attempt, attempt.runner, reason, retryable],
    );
    return rows[0]?.status ?? null;
  },
  /** Running jobs whose runner on this host is `host:pid`: a pid that is gone is known dead at once. */
  async runnersOn(host: string): Promise<string[]> {
    const { rows } = await getPool().query<{ runner: string }>(`SELECT DISTINCT runner FROM "Job" WHERE status = 'running' AND runner LIKE $1`, [
      `${host.replace(/[\\%_]/g, '\\$&')}:%`,
    ]);
    return rows.map((row) => row.runner);
  },
  /**
   * Running attempts whose runner missed its heartbeats (or is known dead) end here: requeued while
   * attempts are left, else failed; an inline job is never requeued (no queue would run it).
   */
  async reap(staleSeconds: number, deadRunners: string[], db: Db): Promise<Pick<JobRow, 'id' | 'kind' | 'status' | 'parentId'>[]> {
    const { rows } = await db.query(
      `WITH stale AS (
         SELECT id, NOT inline AND attempts < "maxAttempts" AS again FROM "Job"
          WHERE status = 'running' AND runner IS NOT NULL
            AND ("heartbeatAt" IS NULL OR "heartbeatAt" < now() - make_interval(secs => $1) OR runner = ANY($2::text[]))
          FOR UPDATE SKIP LOCKED)
       UPDATE "Job" j SET status = CASE WHEN stale.again THEN 'queued' ELSE 'failed' END::"JobStatus",
              "attemptErrors" = ${attemptError(`'interrupted: ' || j.runner || ' stopped (last heartbeat ' || to_char(j."heartbeatAt", 'YYYY-MM-DD HH24:MI:SS') || ')'`)},
              error = CASE WHEN stale.again THEN NULL ELSE 'interrupted: the process running it (' || j.runner || ') stopped' END,
              "finishedAt" = CASE WHEN stale.again THEN NULL ELSE now() END,
              runner = NULL
         FROM stale WHERE j.id = stale.id
       RETURNING j.id, j.kind, j.status::text AS status, j."parentId"`,
      [staleSeconds, deadRunners],
    );
    return rows;
  },
  /** Locks a waiting parent and counts its children: of children settling at once, the last one sees none left. */
  async lockChildren(parentId: string, db: Db): Promise<{ parent: JobRow; children: ChildSummary } | null> {
    const { rows } = await db.query<JobRow>(`SELECT ${ROW} FROM "Job" WHERE id = $1 FOR UPDATE`, [parentId]);
    if (!rows[0]) return null;
    return { parent: rows[0], children: await jobsRepository.children(parentId, db) };
  },
  async children(parentId: string, db: Db = getPool()): Promise<ChildSummary> {
    const { rows } = await db.query(
      `SELECT min(kind) AS kind, count(*)::int AS total,
              count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'running')::int AS running,
              count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
              (SELECT jsonb_build_object('id', id, 'error', error) FROM "Job" f WHERE f."parentId" = $1 AND f.status = 'failed'
                ORDER BY "finishedAt", id LIMIT 1) AS "firstFailure"
         FROM "Job" WHERE "parentId" = $1`,
      [parentId],
    );
    return rows[0];
  },
  /** The last child settled: the parent's finish step is queued as its own attempts. */
  async queueFinish(parentId: string, db: Db) {
    await db.query(`UPDATE "Job" SET status = 'queued', phase = 'finish', attempts = 0, runner = NULL WHERE id = $1`, [parentId]);
  },
  async failWaiting(parentId: string, error: string, db: Db) {
    await db.query(`UPDATE "Job" SET status = 'failed', error = $2, runner = NULL, "finishedAt" = now() WHERE id = $1 AND status = 'running'`, [
      parentId,
      error,
    ]);
  },
  /** Children of jobs that ended without finishing have nothing left to do for. */
  async cancelChildrenOf(ids: string[], db: Db) {
    if (ids.length)
      await db.query(
        `UPDATE "Job" SET status = 'cancelled', "finishedAt" = now(), runner = NULL WHERE "parentId" = ANY($1::text[]) AND status IN ('queued', 'running')`,
        [ids],
      );
  },
  async mergeParams(id: string, patch: Record<string, unknown>) {
    await getPool().query(`UPDATE "Job" SET params = params || $2::jsonb WHERE id = $1`, [id, JSON.stringify(patch)]);
  },
  async setCounters(id: string, done: number, failed: number) {
    await getPool().query(`UPDATE "Job" SET done = $2, failed = $3, "heartbeatAt" = now() WHERE id = $1`, [id, done, failed]);
  },
  /** A job and its children stop; false when it was not queued or running. */
  async cancel(id: string): Promise<boolean> {
    const { rowCount } = await getPool().query(
      `UPDATE "Job" SET status = 'cancelled', "finishedAt" = now(), runner = NULL WHERE (id = $1 OR "parentId" = $1) AND status IN ('queued', 'running')`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  },
  /** A failed or cancelled job starts over from its first step; its earlier children are replaced by the ones it makes then. */
  async requeue(id: string, db: Db) {
    await db.query(`DELETE FROM "Job" WHERE "parentId" = $1`, [id]);
    await db.query(
      `UPDATE "Job" SET status = 'queued', phase = 'run', attempts = 0, inline = false, runner = NULL, total = 0, done = 0, failed = 0,
              errors = '[]', error = NULL, "startedAt" = NULL, "finishedAt" = NULL WHERE id = $1`,
      [id],
    );
  },
  /** The queued or running job of a kind, oldest first: a dataset has one scan at a time. */
  async active(kind: string): Promise<{ id: string; status: string } | null> {
    const { rows } = await getPool().query(
      `SELECT id, status::text FROM "Job" WHERE kind = $1 AND "parentId" IS NULL AND status IN ('queued', 'running') ORDER BY "createdAt" LIMIT 1`,
      [kind],
    );
    return rows[0] ?? null;
  },
  /** The newest top-level jobs without their stored failures (up to 500 each), only how many there are: a list polled every second. */
  async recent(limit: number): Promise<JobSummaryRow[]> {
    const { rows } = await getPool().query<JobSummaryRow>(
      `SELECT ${SUMMARY} FROM "Job" j LEFT JOIN "User" u ON u.id = j."createdById"
        WHERE j."parentId" IS NULL ORDER BY j."createdAt" DESC, j.id LIMIT $1`,
      [limit],
    );
    return rows;
  },
  async summary(id: string): Promise<JobSummaryRow | null> {
    const { rows } = await getPool().query<JobSummaryRow>(`SELECT ${SUMMARY} FROM "Job" j LEFT JOIN "User" u ON u.id = j."createdById" WHERE j.id = $1`, [id]);
    return rows[0] ?? null;
  },
  /** A job and every job it led to (its follow-ups, theirs, ...), oldest first. */
  async family(id: string): Promise<JobSummaryRow[]> {
    const { rows } = await getPool().query<JobSummaryRow>(
      `WITH RECURSIVE fam AS (SELECT id FROM "Job" WHERE id = $1 UNION SELECT f.id FROM "Job" f JOIN fam ON f."followsId" = fam.id)
       SELECT ${SUMMARY} FROM "Job" j JOIN fam USING (id) LEFT JOIN "User" u ON u.id = j."createdById" ORDER BY j."createdAt", j.id`,
      [id],
    );
    return rows;
  },
  /** Top-level jobs that are queued or running, were created since `since`, or are among `ids`. */
  async activeOrSince(since: Date, ids: string[]): Promise<JobSummaryRow[]> {
    const { rows } = await getPool().query<JobSummaryRow>(
      `SELECT ${SUMMARY} FROM "Job" j LEFT JOIN "User" u ON u.id = j."createdById"
        WHERE j."parentId" IS NULL AND (j.status IN ('queued', 'running') OR j."createdAt" >= $1 OR j.id = ANY($2::text[]))
        ORDER BY j."createdAt", j.id`,
      [since, ids],
    );
    return rows;
  },
  async childSummaries(parentIds: string[]): Promise<Map<string, ChildSummary>> {
    const summaries = new Map<string, ChildSummary>();
    if (parentIds.length === 0) return summaries;
    const { rows } = await getPool().query<ChildSummary & { parentId: string }>(
      `SELECT "parentId", min(kind) AS kind, count(*)::int AS total,
              count(*) FILTER (WHERE status = 'queued')::int AS queued, count(*) FILTER (WHERE status = 'running')::int AS running,
              count(*) FILTER (WHERE status = 'done')::int AS done, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled, NULL AS "firstFailure"
         FROM "Job" WHERE "parentId" = ANY($1::text[]) GROUP BY "parentId"`,
      [parentIds],
    );
    for (const { parentId, ...summary } of rows) summaries.set(parentId, summary);
    return summaries;
  },
  /**
   * Who worked on each job: the job's own runner, and its children grouped by the process that ran
   * them, with how many items they did in how many seconds of running (for throughput).
   */
  async workerShares(jobIds: string[]): Promise<WorkerShare[]> {
    if (jobIds.length === 0) return [];
    const { rows } = await getPool().query<WorkerShare>(
      `SELECT COALESCE(j."parentId", j.id) AS "jobId", COALESCE(j.runner, j.ran) AS runner, max(j."heartbeatAt") AS "heartbeatAt",
              sum(j.done + j.failed)::int AS items,
              COALESCE(sum(EXTRACT(EPOCH FROM (COALESCE(j."finishedAt", j."heartbeatAt") - j."startedAt"))), 0)::float AS seconds
         FROM (SELECT *, "attemptErrors" -> -1 ->> 'runner' AS ran FROM "Job") j
        WHERE (j.id = ANY($1::text[]) OR j."parentId" = ANY($1::text[])) AND COALESCE(j.runner, j.ran) IS NOT NULL
          AND NOT (j."parentId" IS NULL AND EXISTS (SELECT 1 FROM "Job" c WHERE c."parentId" = j.id))
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [jobIds],
    );
    return rows;
  },
};

const SUMMARY = `j.id, j.kind, j.status::text AS status, j.phase, j.params, j.total, j.done, j.failed, jsonb_array_length(j.errors)::int AS "errorCount",
  j.error, u.name AS "createdBy", j."createdAt", j."startedAt", j."finishedAt", j."heartbeatAt", j.runner, j.attempts, j."maxAttempts",
  j."attemptErrors", j."followsId"`;

export interface JobSummaryRow {
  id: string;
  kind: string;
  status: JobStatus;
  phase: string;
  params: Record<string, unknown>;
  total: number;
  done: number;
  failed: number;
  errorCount: number;
  error: string | null;
  createdBy: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  heartbeatAt: Date | null;
  runner: string | null;
  attempts: number;
  maxAttempts: number;
  attemptErrors: { attempt: number; runner: string | null; reason: string; at: string }[];
  followsId: string | null;
}
