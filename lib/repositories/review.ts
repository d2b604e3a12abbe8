import type pg from 'pg';
import { getPool, named, withTransaction } from '@/lib/db';
import { pairSelect, toPairItem, type PairRow } from '@/lib/repositories/candidates';
import type { IdentityPairItem, OutlierItem, PairItem } from '@/lib/schemas/responses';
import type { Subject } from '@/lib/repositories/decisions';
import type { Derived, EvidencePair, Finding, FolderPair, ImageStanding, Verdict } from '@/lib/similarity/review';

/**
 * Rebuilds of overlapping folders take turns (each would otherwise store what it read before the
 * other stored); of disjoint ones they run at once. A rebuild of everything waits for all.
 */
const REVIEW_LOCK = 7_346_014;
const FOLDER_LOCKS = 7_346_015;

/** The candidates a rebuild reads: all of them, or those touching some person folders. */
export type Scope = { all: true } | { all: false; folders: string[] };

export interface ScopeRows {
  pairs: EvidencePair[];
  images: ImageStanding[];
  folderPairs: FolderPair[];
}

export interface StoredFinding {
  kind: string;
  subject: Subject;
  subjectKey: string;
  folders: string[];
  evidence: number;
  detail: Record<string, unknown>;
}

export interface DerivedRecord {
  verdict: string;
  reason: string;
  sourceId: number;
}

/**
 * A scope's folders are matched by id, given as a value: an array the statement computed itself
 * would leave the planner guessing how many pairs match, and it would scan every pair.
 */
const folderIds = (p: number) => `$${p}::int[]`;

/** The pool, or the connection of a transaction that must read what it holds locked (see `locked`). */
type Queryable = pg.Pool | pg.PoolClient;

async function idsOf(db: Queryable, folders: string[]): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(`SELECT id FROM "Identity" WHERE name = ANY($1::text[])`, [folders]);
  return rows.map((row) => row.id);
}

const IDENTITY_PAIR_ITEM = `SELECT ip.id, ia.name AS a, ib.name AS b, ip."centroidSimilarity", ip."pairCount", ip."maxSimilarity",
       ip."meanSimilarity", ip.score, ip.status
  FROM "IdentityPair" ip JOIN "Identity" ia ON ia.id = ip."identityAId" JOIN "Identity" ib ON ib.id = ip."identityBId"`;
const OUTLIER_ITEM = `SELECT o.id, o."imageId", ii.name AS identity, i.path, o.score, o."neighbourScore", n.name AS "nearestIdentity",
       o."nearestSimilarity", o.flagged, o.status
  FROM "Outlier" o JOIN "Image" i ON i.id = o."imageId" JOIN "Identity" ii ON ii.id = o."identityId"
  LEFT JOIN "Identity" n ON n.id = o."nearestIdentityId"`;

/** Each subject's rows and how its status follows its own latest decision, else its derived one. */
const TABLES: Record<Subject, { table: string; key: string; inScope: (p: number) => string }> = {
  pair: { table: '"CandidatePair"', key: '"pairKey"', inScope: (p) => `(c."identityAId" = ANY(${folderIds(p)}) OR c."identityBId" = ANY(${folderIds(p)}))` },
  identity_pair: {
    table: '"IdentityPair"',
    key: '"pairKey"',
    inScope: (p) => `(c."identityAId" = ANY(${folderIds(p)}) OR c."identityBId" = ANY(${folderIds(p)}))`,
  },
  outlier: { table: '"Outlier"', key: '"subjectKey"', inScope: (p) => `c."identityId" = ANY(${folderIds(p)})` },
};

export const reviewRepository = {
  /**
   * The latest decision of every subject, unless it is "open" (an undone verdict is no verdict) or
   * "fine" on a pair (the most common verdict, which explains no other candidate).
   */
  async standingVerdicts(db: Queryable = getPool()): Promise<Verdict[]> {
    const { rows } = await db.query<Verdict>(
      `SELECT * FROM (
         SELECT DISTINCT ON (d.subject, d."subjectKey") d.id, d.subject::text, d."subjectKey", d.verdict, d.side, d."misfiledHash",
                d."fromIdentity", d."toIdentity", d."keepHash", d."dropHash", u.name AS "decidedBy"
           FROM "Decision" d JOIN "User" u ON u.id = d."userId"
          ORDER BY d.subject, d."subjectKey", d.id DESC) latest
        WHERE verdict <> 'open' AND NOT (subject = 'pair' AND verdict = 'fine') ORDER BY id`,
    );
    return rows;
  },

  /** The candidates of a scope, with each one's own latest verdict (not a derived one). */
  async load(scope: Scope, pool: Queryable = getPool()): Promise<ScopeRows> {
    const params = scope.all ? [] : [await idsOf(pool, scope.folders)];
    const where = (subject: Subject) => (scope.all ? '' : `WHERE ${TABLES[subject].inScope(1)}`);
    const own = `COALESCE(NULLIF(d.verdict, 'open'), 'open')`;
    const [pairs, folderPairs] = await Promise.all([
      pool.query<EvidencePair>(
        `SELECT c."pairKey" AS key, c.kind::text, ia.name AS "folderA", a."contentHash" AS "hashA", a.path AS "pathA",
                ib.name AS "folderB", b."contentHash" AS "hashB", b.path AS "pathB", c.similarity, ${own} AS own
           FROM "CandidatePair" c JOIN "Image" a ON a.id = c."imageAId" JOIN "Image" b ON b.id = c."imageBId"
           JOIN "Identity" ia ON ia.id = c."identityAId" JOIN "Identity" ib ON ib.id = c."identityBId"
           LEFT JOIN "Decision" d ON d.id = c."decisionId" ${where('pair')}`,
        params,
      ),
      pool.query<FolderPair>(
        `SELECT c."pairKey" AS key, ia.name AS a, ib.name AS b, c."centroidSimilarity", ${own} AS own
           FROM "IdentityPair" c JOIN "Identity" ia ON ia.id = c."identityAId" JOIN "Identity" ib ON ib.id = c."identityBId"
           LEFT JOIN "Decision" d ON d.id = c."decisionId" ${where('identity_pair')}`,
        params,
      ),
    ]);
    // the scope's folders, and every image its pairs involve (a pair's stand-out test reads both sides)
    const keys = scope.all ? [] : [...new Set(pairs.rows.flatMap((p) => [`${p.folderA}\n${p.hashA}`, `${p.folderB}\n${p.hashB}`]))];
    const images = await pool.query<ImageStanding>(
      `SELECT ii.name AS folder, i."contentHash" AS hash, i.path, c.score, n.name AS "nearestFolder", c."nearestSimilarity", c.flagged, ${own} AS own
         FROM "Outlier" c JOIN "Image" i ON i.id = c."imageId" JOIN "Identity" ii ON ii.id = c."identityId"
         LEFT JOIN "Identity" n ON n.id = c."nearestIdentityId" LEFT JOIN "Decision" d ON d.id = c."decisionId"
        ${scope.all ? '' : `WHERE ${TABLES.outlier.inScope(1)} OR c."subjectKey" = ANY($2::text[])`}`,
      scope.all ? [] : [params[0], keys],
    );
    return { pairs: pairs.rows, images: images.rows, folderPairs: folderPairs.rows };
  },

  /**
   * Replaces a scope's derived verdicts and findings with these, and moves each candidate of the
   * scope to its effective status (own verdict, else derived, else open), keeping the pair ledger.
   */
  /** Runs `work` in a transaction that holds the scope's folders until it ends, so it reads what rebuilds before it stored. */
  async locked<T>(scope: Scope, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(async (client) => {
      if (scope.all) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [REVIEW_LOCK]);
      } else {
        await client.query('SELECT pg_advisory_xact_lock_shared($1)', [REVIEW_LOCK]);
        // one order for every rebuild, so two never wait for each other; one statement however many folders
        await client.query(`SELECT pg_advisory_xact_lock($1, id) FROM (SELECT id FROM unnest($2::int[]) id ORDER BY id) ordered`, [
          FOLDER_LOCKS,
          await idsOf(client, scope.folders),
        ]);
      }
      return work(client);
    });
  },

  async store(client: pg.PoolClient, scope: Scope, rows: ScopeRows, derived: Derived[], findings: Finding[]): Promise<void> {
    const ids = scope.all ? [] : [await idsOf(client, scope.folders)];
    // A verdict changes few of its scope's derived rows and findings: rows that stay as they were
    // are neither deleted nor rewritten, so a rebuild writes (and indexes) only what it changed.
    if (scope.all) {
      await client.query('TRUNCATE "DerivedDecision", "ReviewFinding"');
    } else {
      const kept = new Set(derived.map((d) => `${d.subject}\n${d.subjectKey}`));
      const keys: Record<Subject, string[]> = {
        pair: [...new Set(rows.pairs.map((p) => p.key))],
        identity_pair: rows.folderPairs.map((fp) => fp.key),
        outlier: rows.images.map((i) => `${i.folder}\n${i.hash}`),
      };
      for (const [subject, list] of Object.entries(keys)) {
        const gone = list.filter((key) => !kept.has(`${subject}\n${key}`));
        if (gone.length === 0) continue;
        await client.query(`DELETE FROM "DerivedDecision" WHERE subject = $1::"DecisionSubject" AND "subjectKey" = ANY($2::text[])`, [subject, gone]);
      }
      await client.query(`DELETE FROM "ReviewFinding" WHERE folders && $1::text[] AND (kind, key) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))`, [
        scope.folders,
        findings.map((f) => f.kind),
        findings.map((f) => f.key),
      ]);
    }
    await client.query(
      `INSERT INTO "DerivedDecision" AS dd (subject, "subjectKey", verdict, "sourceId", reason)
       SELECT subject::"DecisionSubject", "subjectKey", verdict, "sourceId", reason FROM jsonb_to_recordset($1::jsonb)
           AS x(subject text, "subjectKey" text, verdict text, "sourceId" int, reason text)
       ON CONFLICT (subject, "subjectKey") DO UPDATE SET verdict = EXCLUDED.verdict, "sourceId" = EXCLUDED."sourceId", reason = EXCLUDED.reason
       WHERE (dd.verdict, dd."sourceId", dd.reason) IS DISTINCT FROM (EXCLUDED.verdict, EXCLUDED."sourceId", EXCLUDED.reason)`,
      [JSON.stringify(derived)],
    );
    await client.query(
      `INSERT INTO "ReviewFinding" AS f (kind, key, priority, subject, "subjectKey", folders, evidence, detail)
       SELECT kind, key, priority, subject::"DecisionSubject", "subjectKey", folders, evidence, detail FROM jsonb_to_recordset($1::jsonb)
           AS x(kind text, key text, priority float8, subject text, "subjectKey" text, folders text[], evidence int, detail jsonb)
       ON CONFLICT (kind, key) DO UPDATE SET priority = EXCLUDED.priority, subject = EXCLUDED.subject, "subjectKey" = EXCLUDED."subjectKey",
          folders = EXCLUDED.folders, evidence = EXCLUDED.evidence, detail = EXCLUDED.detail
       WHERE (f.priority, f.subject, f."subjectKey", f.folders, f.evidence, f.detail)
             IS DISTINCT FROM (EXCLUDED.priority, EXCLUDED.subject, EXCLUDED."subjectKey", EXCLUDED.folders, EXCLUDED.evidence, EXCLUDED.detail)`,
      [JSON.stringify(findings)],
    );
    for (const [subject, { table, key, inScope }] of Object.entries(TABLES) as [Subject, (typeof TABLES)[Subject]][]) {
      const moved = await client.query<{ old: string; status: string; n: number }>(
        `WITH e AS (
           SELECT c.id, c.status AS old, COALESCE(NULLIF(d.verdict, 'open'), dd.verdict, 'open') AS status
             FROM ${table} c LEFT JOIN "Decision" d ON d.id = c."decisionId"
             LEFT JOIN "DerivedDecision" dd ON dd.subject = '${subject}' AND dd."subjectKey" = c.${key}
            ${scope.all ? '' : `WHERE ${inScope(1)}`}
         ), changed AS (
           UPDATE ${table} t SET status = e.status FROM e WHERE t.id = e.id AND t.status <> e.status RETURNING e.old, e.status
         )
         SELECT old, status, count(*)::int AS n FROM changed GROUP BY old, status`,
        ids,
      );
      if (subject !== 'pair' || moved.rows.length === 0) continue;
      await client.query(`INSERT INTO "PairStatusCount" (status, delta) SELECT status, delta FROM jsonb_to_recordset($1::jsonb) AS x(status text, delta int)`, [
        JSON.stringify(
          moved.rows.flatMap((m) => [
            { status: m.old, delta: -m.n },
            { status: m.status, delta: m.n },
          ]),
        ),
      ]);
    }
  },

  /**
   * The open findings most worth a verdict, each with the open candidate it names as that
   * candidate's own list shows it, in one statement: a finding whose candidate was decided a moment
   * ago (its rebuild still running) is passed over, and the walk stops at `limit`.
   */
  async topEntries(limit: number): Promise<(StoredFinding & { item: PairItem | IdentityPairItem | OutlierItem })[]> {
    const openPair = `SELECT * FROM "CandidatePair" WHERE "pairKey" = f."subjectKey" AND status = 'open' ORDER BY similarity DESC, id LIMIT 1`;
    const { rows } = await getPool().query<StoredFinding & { item: PairRow | IdentityPairItem | OutlierItem }>(
      named(`SELECT f.kind, f.subject::text, f."subjectKey", f.folders, f.evidence, f.detail, c.item
               FROM "ReviewFinding" f
               CROSS JOIN LATERAL (
                 (SELECT to_jsonb(x) AS item FROM (${pairSelect(openPair)}) x WHERE f.subject = 'pair')
                 UNION ALL
                 (SELECT to_jsonb(x) FROM (${IDENTITY_PAIR_ITEM} WHERE ip."pairKey" = f."subjectKey" AND ip.status = 'open' LIMIT 1) x WHERE f.subject = 'identity_pair')
                 UNION ALL
                 (SELECT to_jsonb(x) FROM (${OUTLIER_ITEM} WHERE o."subjectKey" = f."subjectKey" AND o.status = 'open' LIMIT 1) x WHERE f.subject = 'outlier')
                 LIMIT 1
               ) c
              ORDER BY f.priority DESC, f.id
              LIMIT $1`),
      [limit],
    );
    return rows.map((row) => ({ ...row, item: row.subject === 'pair' ? toPairItem(row.item as PairRow) : (row.item as IdentityPairItem | OutlierItem) }));
  },

  /** Open findings, counted up to `cap`: a queue needs to say "many", not to count every one on each request. */
  async openFindings(cap: number): Promise<number> {
    const { rows } = await getPool().query<{ n: number }>(named(`SELECT count(*)::int AS n FROM (SELECT 1 FROM "ReviewFinding" LIMIT $1) f`), [cap]);
    return rows[0].n;
  },

  /** A candidate row's subject key and folders, the derived verdict it has, and whether a finding names it, by row id. */
  async derivedOf(subject: Subject, id: number): Promise<{ key: string; folders: string[]; derived: DerivedRecord | null; named: boolean } | null> {
    const row = {
      pair: `SELECT c."pairKey" AS key, ARRAY[ia.name, ib.name] AS folders FROM "CandidatePair" c
               JOIN "Identity" ia ON ia.id = c."identityAId" JOIN "Identity" ib ON ib.id = c."identityBId" WHERE c.id = $1`,
      identity_pair: `SELECT c."pairKey" AS key, ARRAY[ia.name, ib.name] AS folders FROM "IdentityPair" c
               JOIN "Identity" ia ON ia.id = c."identityAId" JOIN "Identity" ib ON ib.id = c."identityBId" WHERE c.id = $1`,
      outlier: `SELECT c."subjectKey" AS key, ARRAY[ii.name] AS folders FROM "Outlier" c JOIN "Identity" ii ON ii.id = c."identityId" WHERE c.id = $1`,
    }[subject];
    const { rows } = await getPool().query<{
      key: string;
      folders: string[];
      verdict: string | null;
      reason: string | null;
      sourceId: number | null;
      named: boolean;
    }>(
      named(`SELECT r.key, r.folders, dd.verdict, dd.reason, dd."sourceId",
                    EXISTS (SELECT 1 FROM "ReviewFinding" f WHERE f.subject = '${subject}' AND f."subjectKey" = r.key) AS named
               FROM (${row}) r LEFT JOIN "DerivedDecision" dd ON dd.subject = '${subject}' AND dd."subjectKey" = r.key`),
      [id],
    );
    const [r] = rows;
    if (!r) return null;
    const derived = r.verdict === null ? null : { verdict: r.verdict, reason: r.reason!, sourceId: r.sourceId! };
    return { key: r.key, folders: r.folders, derived, named: r.named };
  },

  async derivedByKey(subject: Subject, subjectKey: string): Promise<DerivedRecord | null> {
    const { rows } = await getPool().query<DerivedRecord>(
      named(`SELECT verdict, reason, "sourceId" FROM "DerivedDecision" WHERE subject = $1::"DecisionSubject" AND "subjectKey" = $2`),
      [subject, subjectKey],
    );
    return rows[0] ?? null;
  },
};
