import type { JobStatus, Prisma } from '@/lib/generated/prisma/client';
import { getPool, getPrisma } from '@/lib/db';
import type { JobError } from '@/lib/schemas/responses';

export interface JobCounters {
  status: string;
  total: number;
  done: number;
  failed: number;
}

const MAX_STORED_ERRORS = 500;

export const jobsRepository = {
  create(kind: string, params: Prisma.InputJsonValue, createdById: number | null) {
    return getPrisma().job.create({ data: { kind, params, createdById } });
  },
  find(id: string) {
    return getPrisma().job.findUnique({ where: { id }, include: { createdBy: { select: { name: true } } } });
  },
  list(limit = 50) {
    return getPrisma().job.findMany({
      orderBy: { createdAt: 'desc' },
      take: limit,
      include: { createdBy: { select: { name: true } } },
    });
  },
  /** Claims a queued (or retried) job; false when it was cancelled or finished meanwhile. */
  async markRunning(id: string, runner: string): Promise<boolean> {
    const { rowCount } = await getPool().query(
      `UPDATE "Job" SET status = 'running', "startedAt" = COALESCE("startedAt", now()), "heartbeatAt" = now(), runner = $2
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, runner],
    );
    return rowCount === 1;
  },
  async setTotal(id: string, total: number) {
    await getPool().query(`UPDATE "Job" SET total = $2, done = 0, failed = 0, "heartbeatAt" = now() WHERE id = $1`, [id, total]);
  },
  /** Adds to the counters (several workers may share one job) and answers the job's state. */
  async addProgress(id: string, done: number, failed: number, errors: JobError[]): Promise<JobCounters> {
    const { rows } = await getPool().query<JobCounters>(
      `UPDATE "Job" SET done = done + $2, failed = failed + $3, "heartbeatAt" = now(),
              errors = (SELECT COALESCE(jsonb_agg(e), '[]'::jsonb) FROM (
                         SELECT e FROM jsonb_array_elements(errors || $4::jsonb) AS e
                         OFFSET GREATEST(jsonb_array_length(errors || $4::jsonb) - ${MAX_STORED_ERRORS}, 0)) AS kept)
        WHERE id = $1 RETURNING status::text, total, done, failed`,
      [id, done, failed, JSON.stringify(errors)],
    );
    return rows[0];
  },
  /** False when the job had already finished (another worker got there first) or was cancelled. */
  async finish(id: string, status: 'done' | 'failed' | 'cancelled', error: string | null, result?: Prisma.InputJsonValue): Promise<boolean> {
    const { rowCount } = await getPool().query(
      `UPDATE "Job" SET status = $2::"JobStatus", error = $3, result = COALESCE($4::jsonb, result), "finishedAt" = now()
        WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, status, error, result === undefined ? null : JSON.stringify(result)],
    );
    return rowCount === 1;
  },
  async mergeParams(id: string, patch: Record<string, unknown>) {
    await getPool().query(`UPDATE "Job" SET params = params || $2::jsonb WHERE id = $1`, [id, JSON.stringify(patch)]);
  },
  async setCounters(id: string, done: number, failed: number) {
    await getPool().query(`UPDATE "Job" SET done = $2, failed = $3, "heartbeatAt" = now() WHERE id = $1`, [id, done, failed]);
  },
  async running(kind: string): Promise<{ id: string; runner: string | null; heartbeatAt: Date | null }[]> {
    const { rows } = await getPool().query(`SELECT id, runner, "heartbeatAt" FROM "Job" WHERE kind = $1 AND status = 'running'`, [kind]);
    return rows;
  },
  async markInterrupted(id: string) {
    await getPool().query(
      `UPDATE "Job" SET status = 'failed', error = 'interrupted: the process running it stopped', "finishedAt" = now()
        WHERE id = $1 AND status = 'running'`,
      [id],
    );
  },
  async cancel(id: string): Promise<boolean> {
    const { rowCount } = await getPool().query(
      `UPDATE "Job" SET status = 'cancelled', "finishedAt" = now() WHERE id = $1 AND status IN ('queued', 'running')`,
      [id],
    );
    return rowCount === 1;
  },
  async requeue(id: string) {
    await getPool().query(
      `UPDATE "Job" SET status = 'queued', total = 0, done = 0, failed = 0, errors = '[]', error = NULL,
              "startedAt" = NULL, "finishedAt" = NULL WHERE id = $1`,
      [id],
    );
  },
  /** The queued or running job of a kind, oldest first: a dataset has one scan at a time. */
  async active(kind: string): Promise<{ id: string; status: string } | null> {
    const { rows } = await getPool().query(
      `SELECT id, status::text FROM "Job" WHERE kind = $1 AND status IN ('queued', 'running') ORDER BY "createdAt" LIMIT 1`,
      [kind],
    );
    return rows[0] ?? null;
  },
  /** The newest jobs without their stored failures (up to 500 each), only how many there are: a list polled every second. */
  async recent(limit: number): Promise<JobSummaryRow[]> {
    const { rows } = await getPool().query<JobSummaryRow>(
      `SELECT j.id, j.kind, j.status::text, j.params, j.total, j.done, j.failed, jsonb_array_length(j.errors)::int AS "errorCount",
              j.error, u.name AS "createdBy", j."createdAt", j."startedAt", j."finishedAt"
         FROM "Job" j LEFT JOIN "User" u ON u.id = j."createdById"
        ORDER BY j."createdAt" DESC, j.id LIMIT $1`,
      [limit],
    );
    return rows;
  },
};

export interface JobSummaryRow {
  id: string;
  kind: string;
  status: JobStatus;
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
}
