import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { getPool, withTransaction } from '@/lib/db';

export interface EmbeddingRows {
  imageIds: Int32Array;
  identityIds: Int32Array;
  hashes: string[];
  paths: string[];
  identityNames: Map<number, string>;
  vectors: Float32Array;
  dim: number;
}

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

const LOAD_CHUNK = 10_000;

/** COPY text format: a value may not hold tab, newline, carriage return or backslash unescaped. */
function copyText(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);
}

const copyNumber = (value: number | null) => (value === null || Number.isNaN(value) ? '\\N' : String(value));

/** Streams rows into COPY in chunks of lines, so a million pairs never sit in memory as one string. */
async function copyRows(client: pg.PoolClient, sql: string, count: number, line: (index: number) => string) {
  let index = 0;
  const source = new Readable({
    read() {
      if (index >= count) return void this.push(null);
      const end = Math.min(count, index + 5000);
      let chunk = '';
      for (; index < end; index++) chunk += line(index);
      this.push(chunk);
    },
  });
  await pipeline(source, client.query(copyFrom(sql)));
}

const BINARY_COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const BINARY_COPY_TRAILER = Buffer.from([0xff, 0xff]);

const writeInt4 = (buffer: Buffer, at: number, value: number) => buffer.writeInt32BE(value, buffer.writeInt32BE(4, at));

/**
 * The pairs in COPY's binary format: a million numbers are neither printed here nor parsed by the
 * server, which halves what writing the pairs costs on both sides of the pipe.
 */
async function copyPairs(client: pg.PoolClient, set: PairRowsToWrite) {
  if (set.count === 0) return;
  const kind = Buffer.from(set.kind);
  const rowBytes = 2 + (4 + kind.length) + 4 * 8 + (4 + 8) + (4 + 32);
  let index = 0;
  const source = new Readable({
    read() {
      if (index >= set.count) return void this.push(null);
      const end = Math.min(set.count, index + 5000);
      const header = index === 0 ? BINARY_COPY_HEADER : Buffer.alloc(0);
      const chunk = Buffer.allocUnsafe(header.length + (end - index) * rowBytes + (end === set.count ? 2 : 0));
      let at = header.copy(chunk);
      for (; index < end; index++) {
        at = chunk.writeInt16BE(7, at);
        at = chunk.writeInt32BE(kind.length, at);
        at += kind.copy(chunk, at);
        at = writeInt4(chunk, at, set.imageA(index));
        at = writeInt4(chunk, at, set.imageB(index));
        at = writeInt4(chunk, at, set.identityA(index));
        at = writeInt4(chunk, at, set.identityB(index));
        at = chunk.writeInt32BE(8, at);
        at = chunk.writeDoubleBE(set.similarity(index), at);
        at = chunk.writeInt32BE(32, at);
        at += chunk.write(set.pairKey(index), at, 'latin1');
      }
      if (end === set.count) BINARY_COPY_TRAILER.copy(chunk, at);
      this.push(chunk);
    },
  });
  await pipeline(
    source,
    client.query(copyFrom(`COPY "CandidatePair" (kind, "imageAId", "imageBId", "identityAId", "identityBId", similarity, "pairKey") FROM STDIN WITH (FORMAT binary)`)),
  );
}

/**
 * Rows load several times faster into bare tables, with each index then built by one sort, than
 * with every row inserted into every index. The definitions are read from the database itself, so
 * the migrations stay the one place indexes are declared.
 */
async function withIndexesBuiltAfter(client: pg.PoolClient, tables: string[], load: () => Promise<void>) {
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
      WHERE i.schemaname = current_schema() AND i.tablename = ANY($1)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.contype = 'p')`,
    [tables],
  );
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
  await load();
  for (const index of indexes) await client.query(index.definition);
}

export const searchResultsRepository = {
  /** Every usable embedding of the current model, grouped by person so labels come out dense. */
  async loadEmbeddings(model: string): Promise<EmbeddingRows> {
    const pool = getPool();
    const { rows: countRows } = await pool.query<{ n: number; dim: number | null }>(
      `SELECT count(*)::int AS n, max(e.dim) AS dim FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId"
        WHERE i.status = 'ok' AND e.model = $1`,
      [model],
    );
    const n = countRows[0].n;
    const dim = countRows[0].dim ?? 0;
    const out: EmbeddingRows = {
      imageIds: new Int32Array(n),
      identityIds: new Int32Array(n),
      hashes: new Array(n),
      paths: new Array(n),
      identityNames: new Map(),
      vectors: new Float32Array(n * dim),
      dim,
    };
    const names = await pool.query<{ id: number; name: string }>(`SELECT id, name FROM "Identity"`);
    for (const row of names.rows) out.identityNames.set(row.id, row.name);
    let row = 0;
    let after: [number, number] = [-1, -1];
    while (row < n) {
      const { rows } = await pool.query<{ id: number; identityId: number; contentHash: string; path: string; vector: Buffer }>(
        `SELECT i.id, i."identityId", i."contentHash", i.path, e.vector FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId"
          WHERE i.status = 'ok' AND e.model = $1 AND (i."identityId", i.id) > ($2, $3)
          ORDER BY i."identityId", i.id LIMIT ${LOAD_CHUNK}`,
        [model, after[0], after[1]],
      );
      if (rows.length === 0) break;
      for (const r of rows) {
        if (row >= n) break;
        out.imageIds[row] = r.id;
        out.identityIds[row] = r.identityId;
        out.hashes[row] = r.contentHash;
        out.paths[row] = r.path;
        out.vectors.set(new Float32Array(r.vector.buffer, r.vector.byteOffset, dim), row * dim);
        row++;
      }
      const last = rows[rows.length - 1];
      after = [last.identityId, last.id];
    }
    return out;
  },

  /**
   * Replaces every candidate with this run's, in one transaction (the UI never sees half a result),
   * and gives each candidate the verdict of its latest decision: decisions are keyed by content,
   * so a pair found again comes back decided and a pair whose images changed comes back open.
   */
  async replaceResults(pairs: PairRowsToWrite[], identityPairs: IdentityPairToWrite[], outliers: OutlierToWrite[]): Promise<void> {
    await withTransaction(async (client) => {
      await client.query('TRUNCATE "CandidatePair", "IdentityPair", "Outlier" RESTART IDENTITY');
      await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
      // A crash before the flush rolls back to the previous whole result, and the job's own
      // (synchronous) completion write flushes this one first, so no wait is needed here.
      await client.query(`SET LOCAL synchronous_commit = off`);
      await withIndexesBuiltAfter(client, ['CandidatePair', 'IdentityPair', 'Outlier'], async () => {
        for (const set of pairs) await copyPairs(client, set);
        await copyRows(
          client,
          `COPY "IdentityPair" ("identityAId", "identityBId", "centroidSimilarity", "pairCount", "maxSimilarity", "meanSimilarity", score, "pairKey") FROM STDIN`,
          identityPairs.length,
          (k) => {
            const ip = identityPairs[k];
            return `${ip.identityAId}\t${ip.identityBId}\t${ip.centroidSimilarity}\t${ip.pairCount}\t${ip.maxSimilarity}\t${ip.meanSimilarity}\t${ip.score}\t${copyText(ip.pairKey)}\n`;
          },
        );
        await copyRows(
          client,
          `COPY "Outlier" ("imageId", "identityId", score, "neighbourScore", "nearestIdentityId", "nearestSimilarity", flagged, "subjectKey") FROM STDIN`,
          outliers.length,
          (k) => {
            const o = outliers[k];
            return `${o.imageId}\t${o.identityId}\t${o.score}\t${copyNumber(o.neighbourScore)}\t${copyNumber(o.nearestIdentityId)}\t${copyNumber(o.nearestSimilarity)}\t${o.flagged}\t${copyText(o.subjectKey)}\n`;
          },
        );
        // before the indexes exist, so the few decided rows cost no index churn
        for (const [table, subject, key] of [
          ['"CandidatePair"', 'pair', '"pairKey"'],
          ['"IdentityPair"', 'identity_pair', '"pairKey"'],
          ['"Outlier"', 'outlier', '"subjectKey"'],
        ]) {
          await client.query(
            `UPDATE ${table} t SET status = d.verdict
               FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", verdict FROM "Decision"
                      WHERE subject = '${subject}' ORDER BY "subjectKey", id DESC) d
              WHERE t.${key} = d."subjectKey" AND d.verdict <> 'open'`,
          );
        }
      });
      await client.query('TRUNCATE "PairStatusCount"');
      await client.query(`INSERT INTO "PairStatusCount" (status, delta)
        SELECT 'open', count(*) FROM "CandidatePair" WHERE status = 'open'
        UNION ALL SELECT status, count(*) FROM "CandidatePair" WHERE status <> 'open' GROUP BY status`);
      // The planner needs the new distributions at once (the first page after a search must not
      // wait for autovacuum); a small sample is enough for choosing between these indexes.
      await client.query(`SET LOCAL default_statistics_target = 10`);
      await client.query('ANALYZE "CandidatePair", "IdentityPair", "Outlier"');
    });
  },
};
