import { getPool, withTransaction } from '@/lib/db';

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

const SELECT = `SELECT d.id, d.subject::text, d."subjectKey", d.verdict, d."previousVerdict", d.side, d."misfiledHash",
  d."keepHash", d."dropHash", d."fromIdentity", d."toIdentity", d."intoIdentity", d."userId", u.name AS "userName", d."createdAt"
  FROM "Decision" d JOIN "User" u ON u.id = d."userId"`;

/** Where each subject's current verdict is kept next to its candidate rows, for filtering and counts. */
const STATUS_TABLE: Record<Subject, { table: string; key: string }> = {
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
   * Appends a decision if the subject's latest decision is still the one the client saw. The
   * advisory lock on the key serialises two curators deciding the same subject at once.
   */
  async append(
    decision: NewDecision,
    basedOn: number | null,
  ): Promise<{ ok: true; decision: DecisionRecord } | { ok: false; current: DecisionRecord | null }> {
    return withTransaction(async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${decision.subject}\n${decision.subjectKey}`]);
      const latest = (
        await client.query<DecisionRecord>(`${SELECT} WHERE d.subject = $1::"DecisionSubject" AND d."subjectKey" = $2 ORDER BY d.id DESC LIMIT 1`, [
          decision.subject,
          decision.subjectKey,
        ])
      ).rows[0];
      if ((latest?.id ?? null) !== basedOn) return { ok: false as const, current: latest ?? null };
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "Decision" (subject, "subjectKey", verdict, "previousVerdict", side, "misfiledHash", "keepHash", "dropHash",
                                 "fromIdentity", "toIdentity", "intoIdentity", "userId")
         VALUES ($1::"DecisionSubject", $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
        [
          decision.subject,
          decision.subjectKey,
          decision.verdict,
          latest?.verdict ?? 'open',
          decision.side,
          decision.misfiledHash,
          decision.keepHash,
          decision.dropHash,
          decision.fromIdentity,
          decision.toIdentity,
          decision.intoIdentity,
          decision.userId,
        ],
      );
      const { table, key } = STATUS_TABLE[decision.subject];
      await client.query(`UPDATE ${table} SET status = $1 WHERE ${key} = $2`, [decision.verdict, decision.subjectKey]);
      const saved = (await client.query<DecisionRecord>(`${SELECT} WHERE d.id = $1`, [rows[0].id])).rows[0];
      return { ok: true as const, decision: saved };
    });
  },

  async reviewSummary() {
    const { rows } = await getPool().query<{ name: string; decisions: number; last: Date }>(
      `SELECT u.name, count(*)::int AS decisions, max(d."createdAt") AS last FROM "Decision" d JOIN "User" u ON u.id = d."userId"
        GROUP BY u.name ORDER BY decisions DESC`,
    );
    return rows;
  },
};
