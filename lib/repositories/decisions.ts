import { getPool, named } from '@/lib/db';
import { CANDIDATE_BY_ID } from '@/lib/repositories/candidates';
import { foldWhenLong } from '@/lib/repositories/ledger';

const UNIQUE_VIOLATION = '23505';

export type Subject = 'pair' | 'identity_pair' | 'outlier';

export interface DecisionRecord {
  id: number;
  subject: Subject;
  subjectKey: string;
  verdict: string;
  previousVerdict: string;
  /** the subject's decision this one replaced (null: its first) */
  previousId: number | null;
  side: string | null;
  misfiledHash: string | null;
  keepHash: string | null;
  dropHash: string | null;
  fromIdentity: string | null;
  toIdentity: string | null;
  intoIdentity: string | null;
  userId: number;
  userName: string;
  createdAt: Date;
}

/** A DecisionRecord from decisions `d`, whichever rows `d` names. */
const select = (decisions: string) => `SELECT d.id, d.subject::text, d."subjectKey", d.verdict, d."previousVerdict", d."previousId", d.side, d."misfiledHash",
  d."keepHash", d."dropHash", d."fromIdentity", d."toIdentity", d."intoIdentity", d."userId", u.name AS "userName", d."createdAt"
  FROM ${decisions} d JOIN "User" u ON u.id = d."userId"`;
const SELECT = select('"Decision"');

/**
 * Where each subject's candidate rows are, and the decided row with what a decision reads from
 * it: `key`, the content key decisions belong to; `status` and `decisionId`, the subject's latest
 * verdict and decision, which every row of the subject keeps (for filtering and counts, and so
 * that deciding reads no earlier decision); and the hashes and folder names the verdict names.
 * `alsoMatch` is a column every row of one key shares and an index leads with, so the key needs
 * no index.
 */
export const SUBJECTS: Record<Subject, { table: string; key: string; alsoMatch?: string; row: string }> = {
  pair: {
    table: '"CandidatePair"',
    key: '"pairKey"',
    row: `SELECT c."pairKey" AS key, c.status, c."decisionId", c."hashA", c."hashB", c."identityA", c."identityB" FROM (${CANDIDATE_BY_ID.pair}) c`,
  },
  identity_pair: {
    table: '"IdentityPair"',
    key: '"pairKey"',
    row: `SELECT c."pairKey" AS key, c.status, c."decisionId", c."nameA", c."nameB" FROM (${CANDIDATE_BY_ID.identity_pair}) c`,
  },
  outlier: {
    table: '"Outlier"',
    key: '"subjectKey"',
    alsoMatch: '"identityId"',
    row: `SELECT c."subjectKey" AS key, c.status, c."decisionId", c."identityId", c."contentHash" AS hash, c.identity FROM (${CANDIDATE_BY_ID.outlier}) c`,
  },
};

/** The columns of each subject's decided row (see SUBJECTS) a decision may copy. */
interface RowColumns {
  pair: 'hashA' | 'hashB' | 'identityA' | 'identityB';
  identity_pair: 'nameA' | 'nameB';
  outlier: 'hash' | 'identity';
}

/** A field of a decision: copied from a column of the decided row, or given. */
export type FieldSource<S extends Subject> = { column: RowColumns[S] } | { value: string | null };

const NAMED_FIELDS = ['misfiledHash', 'keepHash', 'dropHash', 'fromIdentity', 'toIdentity', 'intoIdentity'] as const;

export interface DecisionRequest<S extends Subject = Subject> {
  subject: S;
  /** the candidate row decided: a pair's, an identity pair's or an outlier's id */
  id: number;
  verdict: string;
  side: string | null;
  fields: Partial<Record<(typeof NAMED_FIELDS)[number], FieldSource<S>>>;
  /** nothing is written when these two are equal (e.g. "misfiled" between two images of one folder) */
  refuseWhenEqual?: [FieldSource<S>, FieldSource<S>];
  userId: number;
  /** the latest decision the client saw, or null when it saw none */
  basedOn: number | null;
}

export type DecisionOutcome =
  { kind: 'decided'; decision: DecisionRecord } | { kind: 'missing' } | { kind: 'refused' } | { kind: 'conflict'; current: DecisionRecord | null };

export const decisionsRepository = {
  async history(subject: Subject, subjectKey: string): Promise<DecisionRecord[]> {
    const { rows } = await getPool().query<DecisionRecord>(`${SELECT} WHERE d.subject = $1::"DecisionSubject" AND d."subjectKey" = $2 ORDER BY d.id DESC`, [
      subject,
      subjectKey,
    ]);
    return rows;
  },

  /**
   * Decides a candidate row in one statement, one round trip: reads the row, appends the decision
   * if the subject's latest decision (which the row names) is still the one the client saw, moves
   * every candidate row of the subject (and, for pairs, the status ledger) to it, and counts it for
   * its curator. Two curators replacing the same decision at once collide on the unique (subject,
   * subjectKey, previousId) index: the second gets the first's decision back.
   *
   * The statement reads no table that starts empty: each pooled connection keeps the plan it made
   * on its first few uses, and a plan made while there were no decisions would scan them all.
   */
  async decide<S extends Subject>(request: DecisionRequest<S>): Promise<DecisionOutcome> {
    const { table, key, alsoMatch, row } = SUBJECTS[request.subject];
    const sameSubject = alsoMatch ? `t.${key} = s.key AND t.${alsoMatch} = s.${alsoMatch}` : `t.${key} = s.key`;
    const params: unknown[] = [request.id, request.subject, request.verdict, request.side, request.userId, request.basedOn];
    const sql = (source: FieldSource<S> | undefined) => {
      if (source === undefined) return 'NULL';
      if ('column' in source) {
        if (!/^[A-Za-z]+$/.test(source.column)) throw new Error(`not a column: ${source.column}`);
        return `s."${source.column}"`;
      }
      return `$${params.push(source.value)}::text`;
    };
    const refused = request.refuseWhenEqual ? `${sql(request.refuseWhenEqual[0])} IS NOT DISTINCT FROM ${sql(request.refuseWhenEqual[1])}` : 'false';
    const ledger =
      request.subject === 'pair'
        ? `, moved AS (
             INSERT INTO "PairStatusCount" (status, delta)
             SELECT status, -count(*) FROM changed WHERE status <> $3 GROUP BY status
             UNION ALL SELECT $3, count(*) FROM changed WHERE status <> $3 HAVING count(*) > 0)`
        : '';
    try {
      const { rows } = await getPool().query<DecisionRecord & { found: boolean; allowed: boolean }>(
        named(`
        WITH s AS (${row}
        ), allowed AS (
          SELECT * FROM s WHERE NOT (${refused})
        ), inserted AS (
          INSERT INTO "Decision" (subject, "subjectKey", verdict, "previousVerdict", "previousId", side, ${NAMED_FIELDS.map((f) => `"${f}"`).join(', ')}, "userId")
          SELECT $2::"DecisionSubject", s.key, $3, s.status, s."decisionId",
                 $4, ${NAMED_FIELDS.map((f) => sql(request.fields[f])).join(', ')}, $5
            FROM allowed s
           WHERE s."decisionId" IS NOT DISTINCT FROM $6::int
          RETURNING *
        ), changed AS (
          UPDATE ${table} t SET status = $3, "decisionId" = inserted.id FROM ${table} old, s, inserted
           WHERE old.id = t.id AND ${sameSubject}
          RETURNING old.status
        ), counted AS (
          INSERT INTO "ReviewerCount" ("userId", decisions, last) SELECT "userId", 1, "createdAt" FROM inserted
        )${ledger}
        SELECT EXISTS (SELECT 1 FROM s) AS found, EXISTS (SELECT 1 FROM allowed) AS allowed, decided.*
          FROM (SELECT 1) one LEFT JOIN (${select('inserted')}) decided ON true`),
        params,
      );
      const [result] = rows;
      if (!result.found) return { kind: 'missing' };
      if (!result.allowed) return { kind: 'refused' };
      if (result.id !== null) {
        const { found: _found, allowed: _allowed, ...decision } = result;
        return { kind: 'decided', decision };
      }
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    }
    const { rows } = await getPool().query<{ key: string }>(named(`SELECT key FROM (${row}) s`), [request.id]);
    return { kind: 'conflict', current: rows[0] ? await this.latest(request.subject, rows[0].key) : null };
  },

  async byId(id: number): Promise<DecisionRecord | null> {
    const { rows } = await getPool().query<DecisionRecord>(`${SELECT} WHERE d.id = $1`, [id]);
    return rows[0] ?? null;
  },

  async latest(subject: Subject, subjectKey: string): Promise<DecisionRecord | null> {
    const { rows } = await getPool().query<DecisionRecord>(
      `${SELECT} WHERE d.subject = $1::"DecisionSubject" AND d."subjectKey" = $2 ORDER BY d.id DESC LIMIT 1`,
      [subject, subjectKey],
    );
    return rows[0] ?? null;
  },

  /**
   * Decisions per curator from the ledger every decision appends to (see ReviewerCount), not a
   * count of every decision ever made; a reader that finds it long folds it into a row per curator.
   */
  async reviewSummary() {
    const { rows } = await getPool().query<{ name: string; decisions: number; last: Date; entries: number }>(
      named(`SELECT u.name, sum(c.decisions)::int AS decisions, max(c.last) AS last, count(*)::int AS entries
               FROM "ReviewerCount" c JOIN "User" u ON u.id = c."userId" GROUP BY u.name ORDER BY decisions DESC, u.name`),
    );
    await foldWhenLong(rows, () => this.foldReviewerLedger());
    return rows.map(({ entries: _entries, ...reviewer }) => reviewer);
  },

  /** One statement, as foldPairStatusLedger and for the same reasons. */
  async foldReviewerLedger(): Promise<void> {
    await getPool().query(
      `WITH folded AS (DELETE FROM "ReviewerCount" RETURNING "userId", decisions, last)
       INSERT INTO "ReviewerCount" ("userId", decisions, last) SELECT "userId", sum(decisions), max(last) FROM folded GROUP BY "userId"`,
    );
  },
};
