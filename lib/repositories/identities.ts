import { getPool } from '@/lib/db';
import type { GalleryImage, IdentityRecord, ImageThumb, PairThumb } from '@/lib/schemas/responses';

export interface StoredImage {
  /** the dataset root it is relative to, read with it: an image request costs one query */
  datasetRoot: string | null;
  id: number;
  path: string;
  contentHash: string;
  size: number;
  mtimeMs: number | null;
  status: string;
  reason: string | null;
}

const IDENTITY_SELECT = `
  SELECT n.id, n.name, n."goneAt" IS NOT NULL AS gone,
         (SELECT count(*) FROM "Image" i WHERE i."identityId" = n.id AND i.status <> 'gone')::int AS "imageCount",
         (SELECT count(*) FROM "Outlier" o WHERE o."identityId" = n.id AND o.flagged)::int AS "flaggedOutliers"
    FROM "Identity" n`;

/** People (person folders) and their images, as galleries and context strips show them. */
export const identitiesRepository = {
  async byId(id: number): Promise<IdentityRecord | null> {
    const { rows } = await getPool().query<IdentityRecord>(`${IDENTITY_SELECT} WHERE n.id = $1`, [id]);
    return rows[0] ?? null;
  },

  async byName(name: string): Promise<IdentityRecord | null> {
    const { rows } = await getPool().query<IdentityRecord>(`${IDENTITY_SELECT} WHERE n.name = $1`, [name]);
    return rows[0] ?? null;
  },

  /** Current people whose name starts with `prefix` (any case), alphabetically. */
  async search(prefix: string, limit: number): Promise<IdentityRecord[]> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await getPool().query<IdentityRecord>(`${IDENTITY_SELECT} WHERE n."goneAt" IS NULL AND n.name ILIKE $1 ORDER BY n.name LIMIT $2`, [
      pattern,
      limit,
    ]);
    return rows;
  },

  /** The images still in a person's folder, by path, each with its outlier score when it has one. */
  async images(identityId: number, limit?: number): Promise<GalleryImage[]> {
    const { rows } = await getPool().query(
      `SELECT i.id, i.path, i."contentHash" AS hash, i.status::text, i.reason, i.width, i.height,
              o.id AS "outlierId", o.score, o.flagged, o.status AS "outlierStatus", nn.name AS "nearestIdentity"
         FROM "Image" i
         LEFT JOIN "Outlier" o ON o."imageId" = i.id
         LEFT JOIN "Identity" nn ON nn.id = o."nearestIdentityId"
        WHERE i."identityId" = $1 AND i.status <> 'gone'
        ORDER BY i.path LIMIT $2`,
      [identityId, limit ?? null],
    );
    return rows.map((row) => ({
      id: row.id,
      path: row.path,
      hash: row.hash,
      status: row.status,
      reason: row.reason,
      width: row.width,
      height: row.height,
      outlier:
        row.outlierId === null
          ? null
          : { id: row.outlierId, score: row.score, flagged: row.flagged, status: row.outlierStatus, nearestIdentity: row.nearestIdentity },
    }));
  },

  /** Up to `perIdentity` images of each named person, for the small strips next to an outlier. */
  async samples(names: string[], perIdentity: number): Promise<Map<string, ImageThumb[]>> {
    const { rows } = await getPool().query<ImageThumb & { identity: string }>(
      `SELECT n.name AS identity, s.id, s."contentHash" AS hash, s.path
         FROM "Identity" n
         CROSS JOIN LATERAL (SELECT i.id, i."contentHash", i.path FROM "Image" i
                              WHERE i."identityId" = n.id AND i.status = 'ok' ORDER BY i.path LIMIT $2) s
        WHERE n.name = ANY($1::text[])`,
      [[...new Set(names)], perIdentity],
    );
    const byName = new Map<string, ImageThumb[]>();
    for (const { identity, ...thumb } of rows) byName.set(identity, [...(byName.get(identity) ?? []), thumb]);
    return byName;
  },

  /** The most similar image pairs between two people: the evidence behind a merge suggestion. */
  async strongestPairs(identityAId: number, identityBId: number, limit: number): Promise<PairThumb[]> {
    const { rows } = await getPool().query(
      `SELECT p.id, p.similarity, p.status, a.id AS "aId", a."contentHash" AS "aHash", a.path AS "aPath",
              b.id AS "bId", b."contentHash" AS "bHash", b.path AS "bPath", p."identityAId" = $1 AS "inOrder"
         FROM "CandidatePair" p JOIN "Image" a ON a.id = p."imageAId" JOIN "Image" b ON b.id = p."imageBId"
        WHERE (p."identityAId" = $1 AND p."identityBId" = $2) OR (p."identityAId" = $2 AND p."identityBId" = $1)
        ORDER BY p.similarity DESC, p.id DESC LIMIT $3`,
      [identityAId, identityBId, limit],
    );
    return rows.map((row) => {
      const first = { id: row.aId, hash: row.aHash, path: row.aPath };
      const second = { id: row.bId, hash: row.bHash, path: row.bPath };
      // shown in the suggestion's order: left image from the left person
      const [a, b] = row.inOrder ? [first, second] : [second, first];
      return { id: row.id, similarity: row.similarity, status: row.status, a, b };
    });
  },

  async image(id: number): Promise<StoredImage | null> {
    const { rows } = await getPool().query<StoredImage>(
      `SELECT (SELECT "datasetRoot" FROM "Setting" WHERE id = 1) AS "datasetRoot",
              id, path, "contentHash", size::float8 AS size, "mtimeMs", status::text, reason FROM "Image" WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  },
};
