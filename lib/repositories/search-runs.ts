import { getPool, withTransaction } from '@/lib/db';
import { SUBJECTS, type Subject } from '@/lib/repositories/decisions';
import type { RowKey } from '@/lib/repositories/search-results';

/**
 * Candidates belong to a search run. "CandidatePair", "IdentityPair" and "Outlier" are partitioned
 * by run with only the current run's table attached, so readers query them as they always did and
 * see one whole run; a run being built writes tables of its own (`<table>_run_<id>`) that no reader
 * touches, and becomes current in one short transaction (switchTo).
 */
export const RUN_TABLES = ['CandidatePair', 'IdentityPair', 'Outlier'] as const;
export type RunTable = (typeof RUN_TABLES)[number];
export const runTable = (table: RunTable, runId: number) => `${table}_run_${runId}`;

export type RunStatus = 'building' | 'current' | 'superseded' | 'failed';

/** A block of consecutive rows (in row order): the rows after `after`, up to and including `last`. */
export interface BlockPlan {
  start: number;
  rows: number;
  after: RowKey;
  last: RowKey;
}

export interface RunPlan {
  blocks: BlockPlan[];
  /** The person of each label (labels are dense, in row order). */
  identityIds: number[];
}

export interface SearchRunRow {
  id: number;
  status: RunStatus;
  jobId: string | null;
  model: string;
  threshold: number;
  duplicateThreshold: number;
  outlierThreshold: number;
  maxPairs: number;
  tileRows: number;
  rows: number;
  dim: number;
  tiles: number;
  tilesDone: number;
  plan: RunPlan | null;
  error: string | null;
  createdAt: Date;
}

export interface TileRow {
  tile: number;
  rowBlock: number;
  colBlock: number;
  state: string;
  attempts: number;
  runner: string | null;
  qualifying: string | null;
  histogram: number[] | null;
  seconds: number | null;
}

const RUN_COLUMNS = `id, status, "jobId", model, threshold, "duplicateThreshold", "outlierThreshold", "maxPairs", "tileRows", rows, dim, tiles, "tilesDone", plan, error, "createdAt"`;
/** Serialises finish steps of one run across processes; released by Postgres when a finisher dies. */
const FINISH_LOCK = 7_346_002;
const LOCK_NOT_AVAILABLE = '55P03';

/** Whether an error is the switch giving up on its lock (see switchTo): worth another try. */
export const isLockTimeout = (error: unknown) => (error as { code?: string }).code === LOCK_NOT_AVAILABLE;

export const searchRunsRepository = {
  /** A new run with its (empty, unindexed) tables. */
  async create(values: {
    jobId: string | null;
    model: string;
    threshold: number;
    duplicateThreshold: number;
    outlierThreshold: number;
    maxPairs: number;
    tileRows: number;
    params: object;
  }): Promise<number> {
    return withTransaction(async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "SearchRun" ("jobId", model, threshold, "duplicateThreshold", "outlierThreshold", "maxPairs", "tileRows", params)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [
          values.jobId,
          values.model,
          values.threshold,
          values.duplicateThreshold,
          values.outlierThreshold,
          values.maxPairs,
          values.tileRows,
          JSON.stringify(values.params),
        ],
      );
      const runId = rows[0].id;
      for (const table of RUN_TABLES) {
        const own = runTable(table, runId);
        // a table of this name can only be left from a database emptied for tests: run ids restarted
        await client.query(`DROP TABLE IF EXISTS "${own}"`);
        await client.query(`CREATE TABLE "${own}" (LIKE "${table}" INCLUDING DEFAULTS)`);
        await client.query(`ALTER TABLE "${own}" ALTER COLUMN "runId" SET DEFAULT ${runId}`);
        // lets the switch attach the table without scanning it for rows of other runs
        await client.query(`ALTER TABLE "${own}" ADD CONSTRAINT "${own}_runId_check" CHECK ("runId" = ${runId})`);
      }
      return runId;
    });
  },

  async find(runId: number): Promise<SearchRunRow | null> {
    const { rows } = await getPool().query<SearchRunRow>(`SELECT ${RUN_COLUMNS} FROM "SearchRun" WHERE id = $1`, [runId]);
    return rows[0] ?? null;
  },

  /** The run a search job made (its latest, when a retried plan made several). */
  async byJob(jobId: string): Promise<SearchRunRow | null> {
    const { rows } = await getPool().query<SearchRunRow>(`SELECT ${RUN_COLUMNS} FROM "SearchRun" WHERE "jobId" = $1 ORDER BY id DESC LIMIT 1`, [jobId]);
    return rows[0] ?? null;
  },

  /** The run readers see now (null before any search). */
  async current(): Promise<SearchRunRow | null> {
    const { rows } = await getPool().query<SearchRunRow>(`SELECT ${RUN_COLUMNS} FROM "SearchRun" WHERE status = 'current'`);
    return rows[0] ?? null;
  },

  async sums(runId: number): Promise<Float64Array> {
    const { rows } = await getPool().query<{ sums: Buffer }>(`SELECT sums FROM "SearchRun" WHERE id = $1`, [runId]);
    const bytes = rows[0].sums;
    return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  },

  /** The planner's result: blocks, labels, per-person sums and the tiles to run. */
  async savePlan(runId: number, plan: RunPlan, sums: Float64Array, rows: number, dim: number, tiles: { rowBlock: number; colBlock: number }[]) {
    await withTransaction(async (client) => {
      await client.query(`UPDATE "SearchRun" SET plan = $2, sums = $3, rows = $4, dim = $5, tiles = $6 WHERE id = $1`, [
        runId,
        JSON.stringify(plan),
        Buffer.from(sums.buffer, sums.byteOffset, sums.byteLength),
        rows,
        dim,
        tiles.length,
      ]);
      await client.query(
        `INSERT INTO "SearchTile" ("runId", tile, "rowBlock", "colBlock") SELECT $1, t - 1, r, c FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS x(r, c, t)`,
        [runId, tiles.map((t) => t.rowBlock), tiles.map((t) => t.colBlock)],
      );
    });
  },

  /** Claims a tile for an attempt; null when it is done, failed, or its run is no longer being built. */
  async startTile(runId: number, tile: number, runner: string): Promise<TileRow | null> {
    const { rows } = await getPool().query<TileRow>(
      `UPDATE "SearchTile" t SET state = 'running', attempts = attempts + 1, runner = $3, "startedAt" = now()
         FROM "SearchRun" r WHERE r.id = t."runId" AND t."runId" = $1 AND t.tile = $2 AND t.state IN ('pending', 'running') AND r.status = 'building'
       RETURNING t.tile, t."rowBlock", t."colBlock", t.state, t.attempts, t.runner, t.qualifying::text, t.histogram, t.seconds`,
      [runId, tile, runner],
    );
    return rows[0] ?? null;
  },

  async tiles(runId: number): Promise<TileRow[]> {
    const { rows } = await getPool().query<TileRow>(
      `SELECT tile, "rowBlock", "colBlock", state, attempts, runner, qualifying::text, histogram, seconds FROM "SearchTile" WHERE "runId" = $1 ORDER BY tile`,
      [runId],
    );
    return rows;
  },

  /** Ends a run that cannot complete, and drops what it wrote; false when it had ended already. */
  async fail(runId: number, error: string): Promise<boolean> {
    const { rowCount } = await getPool().query(
      `UPDATE "SearchRun" SET status = 'failed', error = $2, "finishedAt" = now() WHERE id = $1 AND status = 'building'`,
      [runId, error],
    );
    if (rowCount === 1) await this.dropTables(runId);
    return rowCount === 1;
  },

  async dropTables(runId: number) {
    for (const table of RUN_TABLES) await getPool().query(`DROP TABLE IF EXISTS "${runTable(table, runId)}"`);
  },

  /** Runs `work` unless another process is finishing this run right now (then answers null). */
  async whileFinishing<T>(runId: number, work: () => Promise<T>): Promise<T | null> {
    const client = await getPool().connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [FINISH_LOCK, runId]);
      if (!rows[0].locked) return null;
      try {
        return await work();
      } finally {
        await client.query(`SELECT pg_advisory_unlock($1, $2)`, [FINISH_LOCK, runId]);
      }
    } finally {
      client.release();
    }
  },

  /**
   * Makes a complete run current, in one short transaction: the run's tables are attached in place
   * of the previous run's, which are detached (and kept, so ids of the previous run still name
   * their subjects; see successorOf). Decisions made since the run copied them (after `mark`) are
   * copied now, under the lock that keeps new decisions out, and the pair status ledger starts from
   * the run's counts (`statusCounts`, taken with `mark`) moved by them. False when the run is no
   * longer being built.
   */
  async switchTo(runId: number, mark: number, statusCounts: Record<string, number>, summary: object): Promise<boolean> {
    return withTransaction(async (client) => {
      const { rows: run } = await client.query(`SELECT status FROM "SearchRun" WHERE id = $1 FOR UPDATE`, [runId]);
      if (run[0]?.status !== 'building') return false;
      // Waiting for a long reader (an export, say) would make every reader behind it wait too: the
      // switch gives up after a moment instead, and is tried again (see finishSearch).
      await client.query(`SET LOCAL lock_timeout = '500ms'`);
      for (const table of RUN_TABLES) await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`);
      await client.query(`SET LOCAL lock_timeout = 0`);
      const counts = { ...statusCounts };
      for (const [subject, { table, key }] of Object.entries(SUBJECTS)) {
        const own = `"${runTable(table.slice(1, -1) as RunTable, runId)}"`;
        const { rows: moved } = await client.query<{ before: string; after: string }>(
          `UPDATE ${own} t SET status = d.verdict, "decisionId" = d.id
             FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", verdict, id FROM "Decision"
                    WHERE subject = '${subject}' AND id > $1 ORDER BY "subjectKey", id DESC) d, ${own} old
            WHERE old.id = t.id AND t.${key} = d."subjectKey"
          RETURNING old.status AS before, t.status AS after`,
          [mark],
        );
        if (subject !== 'pair') continue;
        for (const { before, after } of moved) {
          counts[before] = (counts[before] ?? 0) - 1;
          counts[after] = (counts[after] ?? 0) + 1;
        }
      }
      const { rows: previous } = await client.query<{ id: number }>(`SELECT id FROM "SearchRun" WHERE status = 'current' FOR UPDATE`);
      for (const table of RUN_TABLES) {
        const { rows: attached } = await client.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass`,
          [`"${table}"`],
        );
        for (const { name } of attached) await client.query(`ALTER TABLE "${table}" DETACH PARTITION "${name}"`);
        await client.query(`ALTER TABLE "${table}" ATTACH PARTITION "${runTable(table, runId)}" FOR VALUES IN (${runId})`);
      }
      await client.query(`UPDATE "SearchRun" SET status = 'superseded' WHERE id = ANY($1)`, [previous.map((p) => p.id)]);
      await client.query(`UPDATE "SearchRun" SET status = 'current', "finishedAt" = now(), "decisionMark" = $2, summary = $3 WHERE id = $1`, [
        runId,
        mark,
        JSON.stringify(summary),
      ]);
      await client.query('DELETE FROM "PairStatusCount"');
      await client.query(`INSERT INTO "PairStatusCount" (status, delta) SELECT key, value::int FROM jsonb_each_text($1::jsonb) WHERE value::int <> 0`, [
        JSON.stringify(counts),
      ]);
      return true;
    });
  },

  /** Drops the tables of superseded runs but the latest one's, whose ids may still be in curators' pages. */
  async dropOlderRuns() {
    const { rows } = await getPool().query<{ id: number }>(
      `SELECT id FROM "SearchRun" WHERE status = 'superseded' AND id < (SELECT max(id) FROM "SearchRun" WHERE status = 'superseded')`,
    );
    for (const { id } of rows) await this.dropTables(id);
  },

  /**
   * The current row of the subject an id of the previous run named (same content pair, person pair,
   * or image in its folder), preferring a pair of the same kind; null when the id is unknown or its
   * subject is not in the current run.
   */
  async successorOf(subject: Subject, id: number): Promise<number | null> {
    const { table, key, alsoMatch } = SUBJECTS[subject];
    const { rows: runs } = await getPool().query<{ id: number }>(
      `SELECT id FROM "SearchRun" WHERE status = 'superseded' AND to_regclass(format('%I', $1 || '_run_' || id)) IS NOT NULL ORDER BY id DESC LIMIT 1`,
      [table.slice(1, -1)],
    );
    if (!runs[0]) return null;
    const old = `"${runTable(table.slice(1, -1) as RunTable, runs[0].id)}"`;
    const same = alsoMatch ? `t.${key} = o.${key} AND t.${alsoMatch} = o.${alsoMatch}` : `t.${key} = o.${key}`;
    const { rows } = await getPool().query<{ id: number }>(
      `SELECT t.id FROM ${table} t JOIN ${old} o ON ${same} WHERE o.id = $1 ORDER BY ${subject === 'pair' ? '(t.kind = o.kind) DESC, ' : ''}t.id LIMIT 1`,
      [id],
    );
    return rows[0]?.id ?? null;
  },
};
