import { getPool, named } from '@/lib/db';

const UNIQUE_VIOLATION = '23505';

export type Subject = 'pair' | 'identity_pair' | 'outlier';

export interface DecisionRecord {
  id: number;
  subject: Subject;
  subjectKey: string;
  verdict: string;
  previousVerdict: string;
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

export type NewDecision = Omit<DecisionRecord, 'id' | 'userName' | 'createdAt' | 'previousVerdict'>;

/** A DecisionRecord from decisions `d`, whichever rows `d` names. */
const select = (decisions: string) => `SELECT d.id, d.subject::text, d."subjectKey", d.verdict, d."previousVerdict", d.side, d."misfiledHash",
  d."keepHash", d."dropHash", d."fromIdentity", d."toIdentity", d."intoIdentity", d."userId", u.name AS "userName", d."createdAt"
  FROM ${decisions} d JOIN "User" u ON u.id = d."userId"`;
const SELECT = select('"Decision"');

/** Where each subject's current verdict is kept next to its candidate rows, for filtering and counts. */
export const STATUS_TABLE: Record<Subject, { table: string; key: string }> = {
  pair: { table: '"CandidatePair"', key: '"pairKey"' },
  identity_pair: { table: '"IdentityPair"', key: '"pairKey"' },
  outlier: { table: '"Outlier"', key: '"subjectKey"' },
};

export const decisionsRepository = {
  async history(subject: Subject, subjectKey: string): Promise<DecisionRecord[]> {
    const { rows } = await getPool().query<DecisionRecord>(`${SELECT} WHERE d.subject = $1::"DecisionSubject" AND d."subjectKey" = $2 ORDER BY d.id DESC`, [
      subject,
      subjectKey,
    ]);
    return rows;
  },

  /**
   * Appends a decision if the subject's latest decision is still the one the client saw, and moves
   * the subject's candidate rows (and, for pairs, the status ledger) to the new verdict, in one
   * statement. Two curators replacing the same decision at once collide on the unique
   * (subject, subjectKey, previousId) index: the second gets the first's decision back.
   */
  async append(
    decision: NewDecision,
    basedOn: number | null,
  ): Promise<{ ok: true; decision: DecisionRecord } | { ok: false; current: DecisionRecord | null }> {
    const { table, key } = STATUS_TABLE[decision.subject];
    const ledger =
      decision.subject === 'pair'
        ? `, moved AS (
             INSERT INTO "PairStatusCount" (status, delta)
             SELECT status, -count(*) FROM changed GROUP BY status
             UNION ALL SELECT $3, count(*) FROM changed HAVING count(*) > 0)`
        : '';
    try {
      const { rows } = await getPool().query<DecisionRecord>(
        named(`
        WITH latest AS (
          SELECT id, verdict FROM "Decision" WHERE subject = $1::"DecisionSubject" AND "subjectKey" = $2 ORDER BY id DESC LIMIT 1
        ), inserted AS (
          INSERT INTO "Decision" (subject, "subjectKey", verdict, "previousVerdict", "previousId", side, "misfiledHash", "keepHash",
                                  "dropHash", "fromIdentity", "toIdentity", "intoIdentity", "userId")
          SELECT $1::"DecisionSubject", $2, $3, COALESCE((SELECT verdict FROM latest), 'open'), (SELECT id FROM latest),
                 $4, $5, $6, $7, $8, $9, $10, $11
           WHERE (SELECT id FROM latest) IS NOT DISTINCT FROM $12::int
          RETURNING *
        ), changed AS (
          UPDATE ${table} t SET status = $3 FROM ${table} old
           WHERE old.id = t.id AND t.${key} = $2 AND t.status <> $3 AND EXISTS (SELECT 1 FROM inserted)
          RETURNING old.status
        )${ledger}
        ${select('inserted')}`),
        [
          decision.subject,
          decision.subjectKey,
          decision.verdict,
          decision.side,
          decision.misfiledHash,
          decision.keepHash,
          decision.dropHash,
          decision.fromIdentity,
          decision.toIdentity,
          decision.intoIdentity,
          decision.userId,
          basedOn,
        ],
      );
      if (rows[0]) return { ok: true, decision: rows[0] };
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    }
    return { ok: false, current: await this.latest(decision.subject, decision.subjectKey) };
  },

  async latest(subject: Subject, subjectKey: string): Promise<DecisionRecord | null> {
    const { rows } = await getPool().query<DecisionRecord>(`${SELECT} WHERE d.subject = $1::"DecisionSubject" AND d."subjectKey" = $2 ORDER BY d.id DESC LIMIT 1`, [
      subject,
      subjectKey,
    ]);
    return rows[0] ?? null;
  },

  async reviewSummary() {
    const { rows } = await getPool().query<{ name: string; decisions: number; last: Date }>(
      `SELECT u.name, count(*)::int AS decisions, max(d."createdAt") AS last FROM "Decision" d JOIN "User" u ON u.id = d."userId"
        GROUP BY u.name ORDER BY decisions DESC`,
    );
    return rows;
  },
};
