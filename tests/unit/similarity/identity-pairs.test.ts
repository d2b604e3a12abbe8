import { describe, expect, it } from 'vitest';
import { findCrossIdentityPairs, rankIdentityPairs, type EmbeddingSet } from '@/lib/similarity';
import { generateSyntheticDataset } from '@/lib/similarity/synthetic';

describe('rankIdentityPairs', () => {
  const data = generateSyntheticDataset({ persons: 50, images: 2000, seed: 41, splitPersons: 1, misfiledShare: 0.01 });

  it('puts a person split over two folders first', async () => {
    const cross = await findCrossIdentityPairs(data, 0.4);
    const ranked = rankIdentityPairs(data, cross);
    const [a, b] = data.truth.splits[0];
    expect([ranked[0].a, ranked[0].b]).toEqual([Math.min(a, b), Math.max(a, b)]);
    expect(ranked[0].centroidSimilarity).toBeGreaterThan(0.9);
    expect(ranked[1].centroidSimilarity).toBeLessThan(0.8);
  });

  it('summarises the image pairs behind each person pair', async () => {
    const cross = await findCrossIdentityPairs(data, 0.4);
    const ranked = rankIdentityPairs(data, cross);
    for (const pair of ranked.slice(0, 5)) {
      const sims = Array.from(cross.sim).filter((_, p) => {
        const la = data.labels[cross.i[p]];
        const lb = data.labels[cross.j[p]];
        return Math.min(la, lb) === pair.a && Math.max(la, lb) === pair.b;
      });
      expect(pair.pairCount).toBe(sims.length);
      expect(pair.maxSimilarity).toBe(Math.max(...sims));
      expect(pair.meanSimilarity).toBeCloseTo(sims.reduce((x, y) => x + y, 0) / sims.length, 5);
    }
    const total = ranked.reduce((sum, pair) => sum + pair.pairCount, 0);
    expect(total).toBe(cross.i.length);
  });

  it('ranks by centroid similarity, highest first', async () => {
    const ranked = rankIdentityPairs(data, await findCrossIdentityPairs(data, 0.4));
    for (let r = 1; r < ranked.length; r++) {
      expect(ranked[r - 1].centroidSimilarity).toBeGreaterThanOrEqual(ranked[r].centroidSimilarity);
    }
  });

  it('returns no suggestions without cross pairs', () => {
    const none = { i: new Int32Array(0), j: new Int32Array(0), sim: new Float32Array(0) };
    expect(rankIdentityPairs(data, none)).toEqual([]);
    const empty: EmbeddingSet = { vectors: new Float32Array(0), dim: 4, labels: new Int32Array(0) };
    expect(rankIdentityPairs(empty, none)).toEqual([]);
  });
});
