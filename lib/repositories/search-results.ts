import pg from 'pg';
import { getPool, withTransaction } from '@/lib/db';
import { copyBinary, copyOut } from '@/lib/repositories/binary-copy';
import { SUBJECTS } from '@/lib/repositories/decisions';
import { runTable, RUN_TABLES, type RunTable } from '@/lib/repositories/search-runs';

const quoted = (table: RunTable, runId: number) => `"${runTable(table, runId)}"`;

export interface EmbeddingRows {
  imageIds: Int32Array;
  identityIds: Int32Array;
  hashes: string[];
  paths: string[];
  vectors: Float32Array;
  dim: number;
}

/** A row's place in the order every search reads embeddings in: by person, then image. */
export type RowKey = [identityId: number, imageId: number];

export interface PairRowsToWrite {
  kind: 'cross_identity' | 'near_duplicate';
  count: number;
  imageA: (p: number) => number;
  imageB: (p: number) => number;
  identityA: (p: number) => number;
  identityB: (p: number) => number;
  similarity: (p: number) => number;
  pairKey: (p: number) => string;
}

export interface IdentityPairToWrite {
  identityAId: number;
  identityBId: number;
  centroidSimilarity: number;
  pairCount: number;
  maxSimilarity: number;
  meanSimilarity: number;
  score: number;
  pairKey: string;
}

export interface OutlierToWrite {
  imageId: number;
  identityId: number;
  score: number;
  neighbourScore: number | null;
  nearestIdentityId: number | null;
  nearestSimilarity: number | null;
  flagged: boolean;
  subjectKey: string;
}

export interface IdentityPairEvidence {
  identityAId: number;
  identityBId: number;
  pairCount: number;
  maxSimilarity: number;
  meanSimilarity: number;
}

const LOAD_CHUNK = 10_000;
const { escapeLiteral } = pg;

/**
 * For the finish step's scans over a whole run: their cost estimates cross the JIT threshold, and
 * compiling them took longer (a second and more) than running them.
 */
async function queryWithoutJit<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
  return withTransaction(async (client) => {
    await client.query('SET LOCAL jit = off');
    return client.query<R>(sql, params);
  });
}
const USABLE = `i.status = 'ok' AND e.model = $1`;

async function copyPairs(client: pg.PoolClient, table: string, pairs: PairRowsToWrite[]) {
  const columns = ['kind', 'imageAId', 'imageBId', 'identityAId', 'identityBId', 'similarity', 'pairKey'];
  for (const set of pairs) {
    await copyBinary(client, table, columns, set.count, (row, p) => {
      row.text(set.kind).int4(set.imageA(p)).int4(set.imageB(p)).int4(set.identityA(p)).int4(set.identityB(p));
      row.float8(set.similarity(p)).text(set.pairKey(p));
    });
  }
}

async function copyOutliers(client: pg.PoolClient, table: string, outliers: OutlierToWrite[]) {
  const columns = ['imageId', 'identityId', 'score', 'neighbourScore', 'nearestIdentityId', 'nearestSimilarity', 'flagged', 'subjectKey'];
  await copyBinary(client, table, columns, outliers.length, (row, k) => {
    const o = outliers[k];
    row.int4(o.imageId).int4(o.identityId).float8(o.score).float8(o.neighbourScore);
    row.int4(o.nearestIdentityId).float8(o.nearestSimilarity).bool(o.flagged).text(o.subjectKey);
  });
}

export const searchResultsRepository = {
  /** How many usable embeddings of the model there are, and their dimension. */
  async countEmbeddings(model: string): Promise<{ n: number; dim: number }> {
    const { rows } = await getPool().query<{ n: number; dim: number | null }>(
      `SELECT count(*)::int AS n, max(e.dim) AS dim FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId" WHERE ${USABLE}`,
      [model],
    );
    return { n: rows[0].n, dim: rows[0].dim ?? 0 };
  },

  /**
   * The usable embeddings after `after` up to and including `last` (all when null), in row order,
   * a chunk at a time: a search never holds more of them than a block. One binary COPY streams the
   * whole range: the rows are sorted once and vectors come as their stored bytes.
   */
  async *embeddingChunks(model: string, dim: number, after: RowKey, last: RowKey | null): AsyncGenerator<EmbeddingRows> {
    const key = (row: RowKey) => `(${Math.trunc(row[0])}, ${Math.trunc(row[1])})`;
    const sql = `SELECT i.id, i."identityId", i."contentHash", i.path, e.vector FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId"
      WHERE i.status = 'ok' AND e.model = ${escapeLiteral(model)} AND (i."identityId", i.id) > ${key(after)} ${last ? `AND (i."identityId", i.id) <= ${key(last)}` : ''}
      ORDER BY i."identityId", i.id`;
    const fresh = (): EmbeddingRows => ({
      imageIds: new Int32Array(LOAD_CHUNK),
      identityIds: new Int32Array(LOAD_CHUNK),
      hashes: [],
      paths: [],
      vectors: new Float32Array(LOAD_CHUNK * dim),
      dim,
    });
    const bytesPerVector = dim * 4;
    const ready: EmbeddingRows[] = [];
    let chunk = fresh();
    let vectorBytes = new Uint8Array(chunk.vectors.buffer);
    let k = 0;
    const rows = copyOut(sql, 5, ({ bytes, start, length }) => {
      const path = bytes.toString('utf8', start[3], start[3] + length[3]);
      if (length[4] !== bytesPerVector) throw new Error(`the embedding of ${path} has ${length[4]} bytes, not ${bytesPerVector}: rescan with --force`);
      chunk.imageIds[k] = bytes.readInt32BE(start[0]);
      chunk.identityIds[k] = bytes.readInt32BE(start[1]);
      chunk.hashes.push(bytes.toString('utf8', start[2], start[2] + length[2]));
      chunk.paths.push(path);
      vectorBytes.set(bytes.subarray(start[4], start[4] + bytesPerVector), k * bytesPerVector);
      if (++k < LOAD_CHUNK) return;
      ready.push(chunk);
      chunk = fresh();
      vectorBytes = new Uint8Array(chunk.vectors.buffer);
      k = 0;
    });
    try {
      while (!(await rows.next()).done) while (ready.length) yield ready.shift()!;
    } finally {
      // a caller stopping early ends the COPY too
      await rows.return(undefined);
    }
    if (k === 0) return;
    yield {
      ...chunk,
      imageIds: chunk.imageIds.subarray(0, k),
      identityIds: chunk.identityIds.subarray(0, k),
      vectors: chunk.vectors.subarray(0, k * dim),
    };
  },

  async identityNames(): Promise<Map<number, string>> {
    const { rows } = await getPool().query<{ id: number; name: string }>(`SELECT id, name FROM "Identity"`);
    return new Map(rows.map((row) => [row.id, row.name]));
  },

  /**
   * A tile's rows, with its done mark, in one transaction: a retried tile finds either all of an
   * earlier attempt (and writes nothing) or none of it. Rows are written only while the run's
   * qualifying pairs stay under its cap; beyond it the search fails in its finish step anyway.
   * Null when the tile was done already or the run is no longer being built.
   */
  async writeTile(
    runId: number,
    tile: number,
    rows: { pairs: PairRowsToWrite[]; outliers: OutlierToWrite[] },
    stats: { qualifying: number; histogram: Float64Array; seconds: number },
    beforeCommit: () => Promise<void> = async () => {},
  ): Promise<{ tilesDone: number; tiles: number } | null> {
    return withTransaction(async (client) => {
      const { rows: state } = await client.query<{ state: string; status: string; maxPairs: number; qualifying: string }>(
        `SELECT t.state, r.status, r."maxPairs", r.qualifying FROM "SearchTile" t JOIN "SearchRun" r ON r.id = t."runId"
          WHERE t."runId" = $1 AND t.tile = $2 FOR UPDATE OF t`,
        [runId, tile],
      );
      if (!state[0] || state[0].state === 'done' || state[0].status !== 'building') return null;
      await client.query(`SET LOCAL synchronous_commit = off`);
      const pairCount = rows.pairs.reduce((sum, set) => sum + set.count, 0);
      if (Number(state[0].qualifying) + stats.qualifying <= state[0].maxPairs) {
        await copyPairs(client, runTable('CandidatePair', runId), rows.pairs);
      }
      await copyOutliers(client, runTable('Outlier', runId), rows.outliers);
      await client.query(
        `UPDATE "SearchTile" SET state = 'done', pairs = $3, qualifying = $4, histogram = $5, seconds = $6, "finishedAt" = now(), error = NULL
          WHERE "runId" = $1 AND tile = $2`,
        [runId, tile, pairCount, stats.qualifying, Array.from(stats.histogram), stats.seconds],
      );
      // before the run's counters, whose row every tile's write ends on
      await beforeCommit();
      const { rows: run } = await client.query<{ tilesDone: number; tiles: number }>(
        `UPDATE "SearchRun" SET "tilesDone" = "tilesDone" + 1, qualifying = qualifying + $2 WHERE id = $1 RETURNING "tilesDone", tiles`,
        [runId, stats.qualifying],
      );
      return run[0];
    });
  },

  /** Cross-identity pairs per person pair (ids in ascending order), from the run's written pairs. */
  async identityPairEvidence(runId: number): Promise<IdentityPairEvidence[]> {
    const { rows } = await queryWithoutJit<IdentityPairEvidence>(
      `SELECT LEAST("identityAId", "identityBId") AS "identityAId", GREATEST("identityAId", "identityBId") AS "identityBId",
              count(*)::int AS "pairCount", max(similarity) AS "maxSimilarity",
              -- summed in one order, whichever order the tiles wrote them in
              avg(similarity ORDER BY similarity) AS "meanSimilarity"
         FROM ${quoted('CandidatePair', runId)} WHERE kind = 'cross_identity' GROUP BY 1, 2`,
    );
    return rows;
  },

  async writeIdentityPairs(runId: number, identityPairs: IdentityPairToWrite[]) {
    await withTransaction(async (client) => {
      const table = runTable('IdentityPair', runId);
      await client.query(`DELETE FROM "${table}"`);
      const columns = ['identityAId', 'identityBId', 'centroidSimilarity', 'pairCount', 'maxSimilarity', 'meanSimilarity', 'score', 'pairKey'];
      await copyBinary(client, table, columns, identityPairs.length, (row, k) => {
        const ip = identityPairs[k];
        row.int4(ip.identityAId).int4(ip.identityBId).float8(ip.centroidSimilarity).int4(ip.pairCount);
        row.float8(ip.maxSimilarity).float8(ip.meanSimilarity).float8(ip.score).text(ip.pairKey);
      });
    });
  },

  /**
   * Images of identical content (usable embeddings of the model) with no near-duplicate row of
   * the run between them yet, by image id, in row order: what the finish step adds whatever their
   * cosine. Groups of identical content are few and small, so the pairs are formed here: a join
   * of the run's fresh, unanalysed table against them left the planner guessing (a nested loop
   * over every near-duplicate per pair took most of a minute at 14,400 images).
   */
  async sameContentWithoutPair(runId: number, model: string): Promise<[number, number][]> {
    const { rows: groups } = await queryWithoutJit<{ ids: number[]; identityIds: number[] }>(
      `SELECT array_agg(i.id ORDER BY i."identityId", i.id) AS ids, array_agg(i."identityId" ORDER BY i."identityId", i.id) AS "identityIds"
         FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId" WHERE ${USABLE} GROUP BY i."contentHash" HAVING count(*) > 1`,
      [model],
    );
    if (groups.length === 0) return [];
    const { rows: found } = await queryWithoutJit<{ a: number; b: number }>(
      `SELECT "imageAId" AS a, "imageBId" AS b FROM ${quoted('CandidatePair', runId)} WHERE kind = 'near_duplicate' AND "imageAId" = ANY($1::int[])`,
      [groups.flatMap((group) => group.ids)],
    );
    const paired = new Set(found.map(({ a, b }) => `${Math.min(a, b)}:${Math.max(a, b)}`));
    const pairs: { x: RowKey; y: RowKey }[] = [];
    for (const { ids, identityIds } of groups) {
      for (let x = 0; x < ids.length; x++) {
        for (let y = x + 1; y < ids.length; y++) {
          if (!paired.has(`${Math.min(ids[x], ids[y])}:${Math.max(ids[x], ids[y])}`)) pairs.push({ x: [identityIds[x], ids[x]], y: [identityIds[y], ids[y]] });
        }
      }
    }
    const byRow = (a: RowKey, b: RowKey) => a[0] - b[0] || a[1] - b[1];
    pairs.sort((p, q) => byRow(p.x, q.x) || byRow(p.y, q.y));
    return pairs.map(({ x, y }) => [x[1], y[1]]);
  },

  async embeddingsOf(imageIds: number[], dim: number): Promise<EmbeddingRows> {
    const { rows } = await getPool().query<{ id: number; identityId: number; contentHash: string; path: string; vector: Buffer }>(
      `SELECT i.id, i."identityId", i."contentHash", i.path, e.vector FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId" WHERE i.id = ANY($1)`,
      [imageIds],
    );
    const out: EmbeddingRows = {
      imageIds: new Int32Array(rows.length),
      identityIds: new Int32Array(rows.length),
      hashes: [],
      paths: [],
      vectors: new Float32Array(rows.length * dim),
      dim,
    };
    rows.forEach((r, k) => {
      out.imageIds[k] = r.id;
      out.identityIds[k] = r.identityId;
      out.hashes.push(r.contentHash);
      out.paths.push(r.path);
      out.vectors.set(new Float32Array(r.vector.buffer.slice(r.vector.byteOffset, r.vector.byteOffset + dim * 4)), k * dim);
    });
    return out;
  },

  async addPairs(runId: number, pairs: PairRowsToWrite[]) {
    await withTransaction((client) => copyPairs(client, runTable('CandidatePair', runId), pairs));
  },

  /**
   * Makes the run's tables what readers will query: each candidate gets its subject's latest
   * decision and verdict (decisions are keyed by content, so a pair found again comes back decided
   * and one whose images changed comes back open), before the indexes exist so the few decided rows
   * cost no index churn; then the indexes the partitioned tables declare, built by one sort each;
   * then statistics. Nobody reads these tables yet, so none of it holds up a reader. Answers the
   * last decision copied: the switch copies any later one.
   */
  async prepareForReaders(runId: number): Promise<number> {
    const client = await getPool().connect();
    try {
      const { rows: mark } = await client.query<{ id: number }>(`SELECT COALESCE(max(id), 0) AS id FROM "Decision"`);
      await client.query(`SET maintenance_work_mem = '256MB'`);
      for (const [subject, { table, key }] of Object.entries(SUBJECTS)) {
        await client.query(
          `UPDATE ${quoted(table.slice(1, -1) as RunTable, runId)} t SET status = d.verdict, "decisionId" = d.id
             FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", verdict, id FROM "Decision"
                    WHERE subject = '${subject}' AND id <= $1 ORDER BY "subjectKey", id DESC) d
            WHERE t.${key} = d."subjectKey" AND t."decisionId" IS DISTINCT FROM d.id`,
          [mark[0].id],
        );
      }
      const { rows: indexes } = await client.query<{ name: string; table: RunTable; definition: string }>(
        `SELECT indexname AS name, tablename AS table, indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ANY($1)`,
        [RUN_TABLES],
      );
      for (const index of indexes) {
        const own = `"${index.name}_r${runId}"`;
        await client.query(
          index.definition.replace(
            /^CREATE (UNIQUE )?INDEX \S+ ON ONLY \S+ USING/,
            (_all, unique = '') => `CREATE ${unique}INDEX IF NOT EXISTS ${own} ON ${quoted(index.table, runId)} USING`,
          ),
        );
      }
      // A small sample is enough for choosing between these indexes, and the first page after the
      // switch must not wait for autovacuum.
      await client.query(`SET default_statistics_target = 10`);
      for (const table of RUN_TABLES) await client.query(`ANALYZE ${quoted(table, runId)}`);
      return mark[0].id;
    } finally {
      // the connection goes back to the pool: its next user gets the server's settings
      await client.query('RESET maintenance_work_mem; RESET default_statistics_target').catch(() => {});
      client.release();
    }
  },

  /** Pairs of the run per kind and per status: the summary and the status ledger's new totals. */
  async pairCounts(runId: number): Promise<{ kind: string; status: string; n: number }[]> {
    const { rows } = await queryWithoutJit<{ kind: string; status: string; n: number }>(
      `SELECT kind::text, status, count(*)::int AS n FROM ${quoted('CandidatePair', runId)} GROUP BY 1, 2`,
    );
    return rows;
  },

  async flaggedOutliers(runId: number): Promise<number> {
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM ${quoted('Outlier', runId)} WHERE flagged`);
    return rows[0].n;
  },
};
