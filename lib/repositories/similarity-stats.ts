import { getPool } from '@/lib/db';

export interface FolderSample {
  /** rows * dim floats, grouped by person. */
  vectors: Float32Array;
  dim: number;
  /** Dense person index of each row. */
  labels: Int32Array;
  /** The whole dataset's usable embeddings, for scaling sampled shares up to counts. */
  datasetImages: number;
  datasetIdentities: number;
  /** Same-person pairs in the whole dataset: the sum of n(n-1)/2 over folders. */
  datasetSamePairs: number;
}

export const similarityStatsRepository = {
  /**
   * Embeddings of whole person folders, taken in random order until about `maxImages` rows: a
   * sample of single images would hold almost no same-person pairs in a large dataset.
   */
  async sampleFolders(model: string, maxImages: number): Promise<FolderSample> {
    const pool = getPool();
    const { rows: totals } = await pool.query<{ images: number; identities: number; samePairs: string; dim: number | null }>(
      `SELECT coalesce(sum(n), 0)::int AS images, count(*)::int AS identities, coalesce(sum(n * (n - 1) / 2), 0)::text AS "samePairs", max(dim) AS dim
         FROM (SELECT i."identityId", count(*)::bigint AS n, max(e.dim) AS dim
                 FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId"
                WHERE i.status = 'ok' AND e.model = $1 GROUP BY i."identityId") AS folders`,
      [model],
    );
    const dim = totals[0].dim ?? 0;
    const { rows } = await pool.query<{ identityId: number; vector: Buffer }>(
      `WITH folders AS (
         SELECT i."identityId", count(*) AS n FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId"
          WHERE i.status = 'ok' AND e.model = $1 GROUP BY i."identityId"),
       shuffled AS (SELECT "identityId", n, random() AS r FROM folders),
       picked AS (SELECT "identityId", sum(n) OVER (ORDER BY r ROWS UNBOUNDED PRECEDING) - n AS before FROM shuffled)
       SELECT i."identityId", e.vector FROM "Embedding" e JOIN "Image" i ON i.id = e."imageId"
        WHERE i.status = 'ok' AND e.model = $1 AND i."identityId" IN (SELECT "identityId" FROM picked WHERE before < $2)
        ORDER BY i."identityId", i.id LIMIT $3`,
      [model, maxImages, maxImages * 2],
    );
    const vectors = new Float32Array(rows.length * dim);
    const labels = new Int32Array(rows.length);
    const labelOf = new Map<number, number>();
    rows.forEach((row, r) => {
      if (!labelOf.has(row.identityId)) labelOf.set(row.identityId, labelOf.size);
      labels[r] = labelOf.get(row.identityId)!;
      vectors.set(new Float32Array(row.vector.buffer, row.vector.byteOffset, dim), r * dim);
    });
    return {
      vectors,
      dim,
      labels,
      datasetImages: totals[0].images,
      datasetIdentities: totals[0].identities,
      datasetSamePairs: Number(totals[0].samePairs),
    };
  },

  /** True when some vector was made by another model than `model`: a scan must then re-embed everything. */
  async hasOtherModel(model: string): Promise<boolean> {
    const { rows } = await getPool().query(`SELECT EXISTS (SELECT 1 FROM "Embedding" WHERE model <> $1) AS stale`, [model]);
    return rows[0].stale;
  },

  /** Outlier scores of the latest search (one per image in a folder of two or more), counted per bin. */
  async outlierScoreCounts(from: number, binWidth: number, bins: number): Promise<{ counts: number[]; images: number }> {
    const { rows } = await getPool().query<{ bin: number; n: number }>(
      `SELECT least(greatest(floor((score - $1) / $2), 0), $3 - 1)::int AS bin, count(*)::int AS n FROM "Outlier" GROUP BY 1`,
      [from, binWidth, bins],
    );
    const counts = new Array<number>(bins).fill(0);
    for (const row of rows) counts[row.bin] = row.n;
    return { counts, images: counts.reduce((sum, n) => sum + n, 0) };
  },
};
