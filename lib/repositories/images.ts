import { getPool, withTransaction } from '@/lib/db';

export interface KnownImage {
  id: number;
  path: string;
  size: number;
  mtimeMs: number | null;
  status: string;
}

export interface IndexedFile {
  identityId: number;
  path: string;
  size: number;
  mtimeMs: number;
}

export interface ImageToEmbed {
  id: number;
  path: string;
  contentHash: string;
  embeddedHash: string | null;
}

export interface EmbedOutcome {
  imageId: number;
  contentHash: string;
  status: 'ok' | 'no_face' | 'many_faces' | 'unreadable';
  reason: string | null;
  width: number | null;
  height: number | null;
  /** float32 little-endian bytes; null with status ok keeps the stored vector (same content as before) */
  vector: Buffer | null;
  dim: number | null;
}

export const imagesRepository = {
  async upsertIdentities(names: string[]): Promise<Map<string, number>> {
    const { rows } = await getPool().query<{ id: number; name: string }>(
      `INSERT INTO "Identity" (name) SELECT unnest($1::text[])
         ON CONFLICT (name) DO UPDATE SET "goneAt" = NULL RETURNING id, name`,
      [names],
    );
    return new Map(rows.map((row) => [row.name, row.id]));
  },

  async knownImages(): Promise<Map<string, KnownImage>> {
    const { rows } = await getPool().query<KnownImage>(`SELECT id, path, size::float8 AS size, "mtimeMs", status::text FROM "Image"`);
    return new Map(rows.map((row) => [row.path, row]));
  },

  /** New or changed files: (re)recorded as pending, so the embed step picks them up; rerunning is harmless. */
  async upsertPending(files: IndexedFile[]): Promise<void> {
    if (files.length === 0) return;
    await getPool().query(
      `INSERT INTO "Image" ("identityId", path, "contentHash", size, "mtimeMs", status, "updatedAt")
       SELECT i, p, '', s, m, 'pending', now() FROM unnest($1::int[], $2::text[], $3::bigint[], $4::float8[]) AS t(i, p, s, m)
       ON CONFLICT (path) DO UPDATE SET "identityId" = EXCLUDED."identityId", size = EXCLUDED.size,
         "mtimeMs" = EXCLUDED."mtimeMs", status = 'pending', reason = NULL, "embeddedAt" = NULL, "updatedAt" = now()`,
      [files.map((f) => f.identityId), files.map((f) => f.path), files.map((f) => f.size), files.map((f) => f.mtimeMs)],
    );
  },

  /** Images no longer on disk stay as rows (their decisions are history), marked gone. */
  async markGone(ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    await getPool().query(`UPDATE "Image" SET status = 'gone', reason = 'no longer in the dataset', "updatedAt" = now() WHERE id = ANY($1)`, [ids]);
    await getPool().query(`UPDATE "Identity" SET "goneAt" = now() WHERE "goneAt" IS NULL
      AND NOT EXISTS (SELECT 1 FROM "Image" WHERE "Image"."identityId" = "Identity".id AND status <> 'gone')`);
  },

  /** Run on missing, or on all with force: the per-image embeddedAt stamp is the filter. */
  async idsToEmbed(force: boolean): Promise<number[]> {
    const { rows } = await getPool().query<{ id: number }>(
      `SELECT id FROM "Image" WHERE status <> 'gone' ${force ? '' : 'AND "embeddedAt" IS NULL'} ORDER BY id`,
    );
    return rows.map((row) => row.id);
  },

  /** Of the given images, those not yet embedded since `since` (a retried batch skips what it already did). */
  async forEmbedding(ids: number[], since: Date): Promise<ImageToEmbed[]> {
    const { rows } = await getPool().query<ImageToEmbed>(
      `SELECT i.id, i.path, i."contentHash", e."contentHash" AS "embeddedHash"
         FROM "Image" i LEFT JOIN "Embedding" e ON e."imageId" = i.id
        WHERE i.id = ANY($1) AND i.status <> 'gone' AND (i."embeddedAt" IS NULL OR i."embeddedAt" < $2) ORDER BY i.id`,
      [ids, since],
    );
    return rows;
  },

  /** What a scan started at `since` still has to embed, and what it did: counted from the data, not from messages. */
  async embedState(since: Date, force: boolean): Promise<{ remaining: number; done: number; failed: number }> {
    const { rows } = await getPool().query(
      `SELECT count(*) FILTER (WHERE "embeddedAt" IS NULL ${force ? 'OR "embeddedAt" < $1' : ''})::int AS remaining,
              count(*) FILTER (WHERE "embeddedAt" >= $1 AND status <> 'unreadable')::int AS done,
              count(*) FILTER (WHERE "embeddedAt" >= $1 AND status = 'unreadable')::int AS failed
         FROM "Image" WHERE status <> 'gone'`,
      [since],
    );
    return rows[0];
  },

  /** One transaction per batch: an image is stamped embedded only together with its vector. */
  async saveOutcomes(outcomes: EmbedOutcome[], model: string): Promise<void> {
    if (outcomes.length === 0) return;
    await withTransaction(async (client) => {
      await client.query(
        `UPDATE "Image" AS i SET "contentHash" = t.h, status = t.s::"ImageStatus", reason = t.r, width = t.w, height = t.ht,
                "embeddedAt" = now(), "updatedAt" = now()
           FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[]) AS t(id, h, s, r, w, ht)
          WHERE i.id = t.id`,
        [
          outcomes.map((o) => o.imageId),
          outcomes.map((o) => o.contentHash),
          outcomes.map((o) => o.status),
          outcomes.map((o) => o.reason),
          outcomes.map((o) => o.width),
          outcomes.map((o) => o.height),
        ],
      );
      const embedded = outcomes.filter((o) => o.vector);
      await client.query(`DELETE FROM "Embedding" WHERE "imageId" = ANY($1)`, [outcomes.filter((o) => o.status !== 'ok').map((o) => o.imageId)]);
      if (embedded.length) {
        await client.query(
          `INSERT INTO "Embedding" ("imageId", model, dim, vector, "contentHash")
           SELECT id, $1, d, v, h FROM unnest($2::int[], $3::int[], $4::bytea[], $5::text[]) AS t(id, d, v, h)
           ON CONFLICT ("imageId") DO UPDATE SET model = EXCLUDED.model, dim = EXCLUDED.dim, vector = EXCLUDED.vector,
             "contentHash" = EXCLUDED."contentHash", "createdAt" = now()`,
          [model, embedded.map((o) => o.imageId), embedded.map((o) => o.dim), embedded.map((o) => o.vector), embedded.map((o) => o.contentHash)],
        );
      }
    });
  },
};
