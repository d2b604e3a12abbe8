import type pg from 'pg';
import { getPool, withTransaction } from '@/lib/db';
import { copyBinary } from '@/lib/repositories/binary-copy';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { SUBJECTS } from '@/lib/repositories/decisions';

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
   * and gives each candidate its latest decision and that verdict: decisions are keyed by content,
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
        const pairColumns = ['kind', 'imageAId', 'imageBId', 'identityAId', 'identityBId', 'similarity', 'pairKey'];
        for (const set of pairs) {
          await copyBinary(client, 'CandidatePair', pairColumns, set.count, (row, p) => {
            row.text(set.kind).int4(set.imageA(p)).int4(set.imageB(p)).int4(set.identityA(p)).int4(set.identityB(p));
            row.float8(set.similarity(p)).text(set.pairKey(p));
          });
        }
        const identityPairColumns = ['identityAId', 'identityBId', 'centroidSimilarity', 'pairCount', 'maxSimilarity', 'meanSimilarity', 'score', 'pairKey'];
        await copyBinary(client, 'IdentityPair', identityPairColumns, identityPairs.length, (row, k) => {
          const ip = identityPairs[k];
          row.int4(ip.identityAId).int4(ip.identityBId).float8(ip.centroidSimilarity).int4(ip.pairCount);
          row.float8(ip.maxSimilarity).float8(ip.meanSimilarity).float8(ip.score).text(ip.pairKey);
        });
        const outlierColumns = ['imageId', 'identityId', 'score', 'neighbourScore', 'nearestIdentityId', 'nearestSimilarity', 'flagged', 'subjectKey'];
        await copyBinary(client, 'Outlier', outlierColumns, outliers.length, (row, k) => {
          const o = outliers[k];
          row.int4(o.imageId).int4(o.identityId).float8(o.score).float8(o.neighbourScore);
          row.int4(o.nearestIdentityId).float8(o.nearestSimilarity).bool(o.flagged).text(o.subjectKey);
        });
        // before the indexes exist, so the few decided rows cost no index churn; undone ones
        // too, since the next decision of such a subject replaces the undoing one
        for (const [subject, { table, key }] of Object.entries(SUBJECTS)) {
          await client.query(
            `UPDATE ${table} t SET status = d.verdict, "decisionId" = d.id
               FROM (SELECT DISTINCT ON ("subjectKey") "subjectKey", verdict, id FROM "Decision"
                      WHERE subject = '${subject}' ORDER BY "subjectKey", id DESC) d
              WHERE t.${key} = d."subjectKey"`,
          );
        }
      });
      await candidatesRepository.recountPairStatuses(client);
      // The planner needs the new distributions at once (the first page after a search must not
      // wait for autovacuum); a small sample is enough for choosing between these indexes.
      await client.query(`SET LOCAL default_statistics_target = 10`);
      await client.query('ANALYZE "CandidatePair", "IdentityPair", "Outlier"');
    });
  },
};
