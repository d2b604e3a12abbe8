import { getPool } from '@/lib/db';
import type { DecisionRecord } from '@/lib/repositories/decisions';

/** A subject's latest decision, named by who made it and when. */
export type CurrentDecision = Omit<DecisionRecord, 'id' | 'previousVerdict' | 'userId' | 'userName' | 'createdAt'> & {
  decidedBy: string;
  decidedAt: Date;
};

export interface PresentImage {
  path: string;
  identity: string;
  contentHash: string;
  size: number;
}

export const fixListRepository = {
  /** The latest verdict of every subject that is not open (undone verdicts are no verdicts). */
  async currentDecisions(): Promise<CurrentDecision[]> {
    const { rows } = await getPool().query<CurrentDecision>(
      `SELECT * FROM (
         SELECT DISTINCT ON (d.subject, d."subjectKey") d.subject::text, d."subjectKey", d.verdict, d.side, d."misfiledHash",
                d."keepHash", d."dropHash", d."fromIdentity", d."toIdentity", d."intoIdentity", u.name AS "decidedBy", d."createdAt" AS "decidedAt"
           FROM "Decision" d JOIN "User" u ON u.id = d."userId"
          ORDER BY d.subject, d."subjectKey", d.id DESC) latest
        WHERE verdict NOT IN ('open', 'fine', 'different')
        ORDER BY "decidedAt", "subjectKey"`,
    );
    return rows;
  },

  /** Images on disk as of the last scan, by path. */
  async presentImages(): Promise<PresentImage[]> {
    const { rows } = await getPool().query<PresentImage>(
      `SELECT i.path, n.name AS identity, i."contentHash", i.size::float8 AS size FROM "Image" i
         JOIN "Identity" n ON n.id = i."identityId" WHERE i.status <> 'gone' ORDER BY i.path`,
    );
    return rows;
  },

  /** The a/b images of the pairs with these keys, as the last search ordered them. */
  async pairsByKey(keys: string[]): Promise<Map<string, { aPath: string; bPath: string }>> {
    const { rows } = await getPool().query<{ pairKey: string; aPath: string; bPath: string }>(
      `SELECT DISTINCT ON (p."pairKey") p."pairKey", a.path AS "aPath", b.path AS "bPath" FROM "CandidatePair" p
         JOIN "Image" a ON a.id = p."imageAId" JOIN "Image" b ON b.id = p."imageBId" WHERE p."pairKey" = ANY($1)`,
      [keys],
    );
    return new Map(rows.map((row) => [row.pairKey, row]));
  },

  async openCrossPairs(): Promise<{ aPath: string; bPath: string; similarity: number }[]> {
    const { rows } = await getPool().query(
      `SELECT a.path AS "aPath", b.path AS "bPath", p.similarity FROM "CandidatePair" p
         JOIN "Image" a ON a.id = p."imageAId" JOIN "Image" b ON b.id = p."imageBId"
        WHERE p.kind = 'cross_identity' AND p.status = 'open' ORDER BY p.similarity DESC, p.id`,
    );
    return rows;
  },
};
