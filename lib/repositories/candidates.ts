import type pg from 'pg';
import { getPool, named } from '@/lib/db';
import type { ListIdentityPairsQuery, ListOutliersQuery, ListPairsQuery } from '@/lib/schemas/candidates';
import { keysetClause, page, Where } from '@/lib/repositories/keyset';
import { foldWhenLong } from '@/lib/repositories/ledger';
import type { IdentityPairItem, OutlierItem, PairItem } from '@/lib/schemas/responses';

/**
 * Pairs with their images and folder names. The pairs are chosen first (`pairs` is a query on
 * "CandidatePair" p) and joined after: joined before the LIMIT, the planner sizes its memoize caches
 * for the million rows it might read, and setting those up costs ~5 ms on every page.
 */
export const pairSelect = (pairs: string) => `
  SELECT p.id, p.kind::text, p.similarity, p.status, p."decisionId", p."pairKey",
         p."imageAId", ia.name AS "identityA", a.path AS "pathA", a."contentHash" AS "hashA",
         p."imageBId", ib.name AS "identityB", b.path AS "pathB", b."contentHash" AS "hashB"
    FROM (${pairs}) p
    JOIN "Image" a ON a.id = p."imageAId" JOIN "Identity" ia ON ia.id = p."identityAId"
    JOIN "Image" b ON b.id = p."imageBId" JOIN "Identity" ib ON ib.id = p."identityBId"`;

/**
 * One candidate row by id ($1) with the names and hashes of what it is about: what the detail
 * pages show, and what a decision copies (see SUBJECTS in decisions.ts).
 */
export const CANDIDATE_BY_ID = {
  pair: pairSelect(`SELECT * FROM "CandidatePair" p WHERE p.id = $1`),
  identity_pair: `SELECT ip.*, ia.name AS "nameA", ib.name AS "nameB" FROM "IdentityPair" ip
    JOIN "Identity" ia ON ia.id = ip."identityAId" JOIN "Identity" ib ON ib.id = ip."identityBId" WHERE ip.id = $1`,
  outlier: `SELECT o.*, i.path, i."contentHash", ii.name AS identity FROM "Outlier" o
    JOIN "Image" i ON i.id = o."imageId" JOIN "Identity" ii ON ii.id = o."identityId" WHERE o.id = $1`,
};

export interface PairRow {
  id: number;
  kind: PairItem['kind'];
  similarity: number;
  status: string;
  pairKey: string;
  imageAId: number;
  identityA: string;
  pathA: string;
  hashA: string;
  imageBId: number;
  identityB: string;
  pathB: string;
  hashB: string;
}

export function toPairItem(row: PairRow): PairItem {
  return {
    id: row.id,
    kind: row.kind,
    similarity: row.similarity,
    status: row.status,
    a: { imageId: row.imageAId, identity: row.identityA, path: row.pathA, hash: row.hashA },
    b: { imageId: row.imageBId, identity: row.identityB, path: row.pathB, hash: row.hashB },
  };
}

/** Statuses and kinds are enum values the schemas checked: they go into the text (see `named`). */
function word(value: string): string {
  if (!/^[a-z_]+$/.test(value)) throw new Error(`not an enum value: ${value}`);
  return `'${value}'`;
}

function statusCondition(column: string, status: string): string | null {
  if (status === 'decided') return `${column} <> 'open'`;
  return status === 'all' ? null : `${column} = ${word(status)}`;
}

function statusFilter(where: Where, column: string, status: string) {
  const condition = statusCondition(column, status);
  if (condition) where.add(() => condition);
}

/** Rows where any of `columns` is the named person, whose id is looked up in the same statement. */
function personFilter(where: Where, columns: string[], name: string | undefined) {
  if (name === undefined) return;
  where.add((p) => {
    const id = `(SELECT id FROM "Identity" WHERE name = ${p(name)})`;
    return `(${columns.map((column) => `${column} = ${id}`).join(' OR ')})`;
  });
}

export const candidatesRepository = {
  async listPairs(query: ListPairsQuery) {
    const where = new Where();
    if (query.kind) where.add(() => `p.kind = ${word(query.kind!)}`);
    personFilter(where, ['p."identityAId"', 'p."identityBId"'], query.identity);
    if (query.minSimilarity !== undefined) where.add((p) => `p.similarity >= ${p(query.minSimilarity)}`);
    if (query.maxSimilarity !== undefined) where.add((p) => `p.similarity <= ${p(query.maxSimilarity)}`);
    const order = keysetClause(where, 'p.similarity', 'p.id', query.sort === 'similarity', query.cursor);
    const limit = `LIMIT ${query.limit + 1}`;
    const withStatus = (status: string) => `SELECT * FROM "CandidatePair" p ${where.with(statusCondition('p.status', status))} ${order} ${limit}`;
    // Every pair is open or decided, and each side has its own sorted partial index: all pairs are
    // the two merged, so no third index over every pair has to be rebuilt by each search.
    const pairs =
      query.status === 'all' ? `SELECT * FROM ((${withStatus('open')}) UNION ALL (${withStatus('decided')})) p ${order} ${limit}` : withStatus(query.status);
    const { rows } = await getPool().query<PairRow>(named(`${pairSelect(pairs)} ${order}`), where.params);
    const result = page(rows, query.limit, (row) => [row.similarity, row.id]);
    return { items: result.items.map(toPairItem), nextCursor: result.nextCursor };
  },

  async pairRow(id: number): Promise<PairRow | null> {
    const { rows } = await getPool().query<PairRow>(named(CANDIDATE_BY_ID.pair), [id]);
    return rows[0] ?? null;
  },

  /** Starts the ledger afresh from the pairs as they are: what a search does after writing them. */
  async recountPairStatuses(db: pg.Pool | pg.PoolClient = getPool()): Promise<void> {
    await db.query('TRUNCATE "PairStatusCount"');
    await db.query(`INSERT INTO "PairStatusCount" (status, delta) SELECT status, count(*) FROM "CandidatePair" GROUP BY status`);
  },

  /**
   * From the ledger the search and every decision keep (see PairStatusCount), not a count of a
   * million rows. Each decision appends to it, so a reader that finds it long folds it back into
   * one row per status.
   */
  async pairStatusCounts(): Promise<Record<string, number>> {
    const { rows } = await getPool().query<{ status: string; n: number; entries: number }>(
      named(`SELECT status, sum(delta)::int AS n, count(*)::int AS entries FROM "PairStatusCount" GROUP BY status`),
    );
    await foldWhenLong(rows, () => this.foldPairStatusLedger());
    return Object.fromEntries(rows.filter((row) => row.n !== 0).map((row) => [row.status, row.n]));
  },

  /**
   * One statement: rows appended meanwhile are not in its snapshot, so they are neither deleted
   * nor summed, and a second reader folding at the same moment skips the rows this one deleted.
   */
  async foldPairStatusLedger(): Promise<void> {
    await getPool().query(
      `WITH folded AS (DELETE FROM "PairStatusCount" RETURNING status, delta)
       INSERT INTO "PairStatusCount" (status, delta) SELECT status, sum(delta) FROM folded GROUP BY status HAVING sum(delta) <> 0`,
    );
  },

  async listIdentityPairs(query: ListIdentityPairsQuery) {
    const where = new Where();
    statusFilter(where, 'ip.status', query.status);
    personFilter(where, ['ip."identityAId"', 'ip."identityBId"'], query.identity);
    if (query.minSimilarity !== undefined) where.add((p) => `ip."centroidSimilarity" >= ${p(query.minSimilarity)}`);
    if (query.maxSimilarity !== undefined) where.add((p) => `ip."centroidSimilarity" <= ${p(query.maxSimilarity)}`);
    const column = query.sort === 'score' ? 'ip.score' : 'ip."centroidSimilarity"';
    const order = keysetClause(where, column, 'ip.id', query.sort !== '-similarity', query.cursor);
    const { rows } = await getPool().query<IdentityPairItem>(
      `SELECT ip.id, ia.name AS a, ib.name AS b, ip."centroidSimilarity", ip."pairCount", ip."maxSimilarity",
              ip."meanSimilarity", ip.score, ip.status
         FROM "IdentityPair" ip JOIN "Identity" ia ON ia.id = ip."identityAId" JOIN "Identity" ib ON ib.id = ip."identityBId"
         ${where} ${order} LIMIT ${query.limit + 1}`,
      where.params,
    );
    return page(rows, query.limit, (row) => [query.sort === 'score' ? row.score : row.centroidSimilarity, row.id]);
  },

  async identityPair(id: number) {
    const { rows } = await getPool().query(CANDIDATE_BY_ID.identity_pair, [id]);
    return rows[0] ?? null;
  },

  async listOutliers(query: ListOutliersQuery) {
    const where = new Where();
    if (query.kind === 'flagged') where.add(() => 'o.flagged');
    statusFilter(where, 'o.status', query.status);
    personFilter(where, ['o."identityId"'], query.identity);
    if (query.minSimilarity !== undefined) where.add((p) => `o.score >= ${p(query.minSimilarity)}`);
    if (query.maxSimilarity !== undefined) where.add((p) => `o.score <= ${p(query.maxSimilarity)}`);
    // the most suspicious first: lowest similarity to its own folder
    const order = keysetClause(where, 'o.score', 'o.id', query.sort === '-similarity', query.cursor);
    const { rows } = await getPool().query<OutlierItem>(
      `SELECT o.id, o."imageId", ii.name AS identity, i.path, o.score, o."neighbourScore", n.name AS "nearestIdentity",
              o."nearestSimilarity", o.flagged, o.status
         FROM "Outlier" o JOIN "Image" i ON i.id = o."imageId" JOIN "Identity" ii ON ii.id = o."identityId"
         LEFT JOIN "Identity" n ON n.id = o."nearestIdentityId"
         ${where} ${order} LIMIT ${query.limit + 1}`,
      where.params,
    );
    return page(rows, query.limit, (row) => [row.score, row.id]);
  },

  async outlier(id: number) {
    const { rows } = await getPool().query(CANDIDATE_BY_ID.outlier, [id]);
    return rows[0] ?? null;
  },
};
