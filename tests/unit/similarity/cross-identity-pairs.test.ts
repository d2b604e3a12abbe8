import { describe, expect, it } from 'vitest';
import {
  findCrossIdentityPairs,
  nativeSimilarity,
  TooManyPairsError,
  type EmbeddingSet,
  type PairList,
} from '@/lib/similarity';
import { createRng, generateSyntheticDataset } from '@/lib/similarity/synthetic';
import { bruteForcePairs, pairKey, shuffleRows, type BrutePair } from './brute-force';

const TOLERANCE = 1e-5;

/** Asserts `found` is exactly the brute-force set, except pairs within TOLERANCE of the threshold. */
function expectSameAsBruteForce(found: PairList, reference: BrutePair[], threshold: number) {
  const bySim = new Map(reference.map((p) => [pairKey(p.i, p.j), p.sim]));
  const seen = new Set<string>();
  const wrong: string[] = [];
  for (let p = 0; p < found.i.length; p++) {
    const key = pairKey(found.i[p], found.j[p]);
    const sim = bySim.get(key);
    if (!(found.i[p] < found.j[p])) wrong.push(`${key}: i >= j`);
    else if (seen.has(key)) wrong.push(`${key}: reported twice`);
    else if (sim === undefined || sim < threshold - TOLERANCE) wrong.push(`${key}: not a cross pair >= ${threshold}`);
    else if (Math.abs(found.sim[p] - sim) >= TOLERANCE) wrong.push(`${key}: sim ${found.sim[p]}, brute force ${sim}`);
    seen.add(key);
  }
  expect(wrong.slice(0, 10)).toEqual([]);
  const missed = reference.filter((p) => p.sim >= threshold + TOLERANCE && !seen.has(pairKey(p.i, p.j)));
  expect(missed.slice(0, 10)).toEqual([]);
}

function crossReference(set: EmbeddingSet, lowest: number): BrutePair[] {
  return bruteForcePairs(set, (sim, same) => !same && sim >= lowest - TOLERANCE);
}

describe('findCrossIdentityPairs', () => {
  // 2,501 rows: not a multiple of any tile or block size, so edge tiles are exercised.
  const data = generateSyntheticDataset({ persons: 70, images: 2501, seed: 7, misfiledShare: 0.02, splitPersons: 2 });
  const thresholds = [0.1, 0.3, 0.4, 0.5, 0.8];
  const reference = crossReference(data, Math.min(...thresholds));

  it.each(thresholds)('returns exactly the brute-force pairs at threshold %s', async (threshold) => {
    const found = await findCrossIdentityPairs(data, threshold);
    expectSameAsBruteForce(found, reference.filter((p) => p.sim >= threshold - TOLERANCE), threshold);
    expect(found.i.length).toBeGreaterThan(0);
  });

  it('returns the same pairs with every instruction-set build this CPU can run', async () => {
    const native = nativeSimilarity();
    const { active, available } = native.kernels();
    try {
      for (const kernels of available) {
        native.useKernels(kernels);
        const found = await findCrossIdentityPairs(data, 0.3);
        expectSameAsBruteForce(found, reference.filter((p) => p.sim >= 0.3 - TOLERANCE), 0.3);
      }
    } finally {
      native.useKernels(active);
    }
  });

  it('finds the same pairs when the rows of a folder are not contiguous', async () => {
    const shuffled = shuffleRows(data, createRng(3));
    const found = await findCrossIdentityPairs(shuffled, 0.4);
    expectSameAsBruteForce(found, crossReference(shuffled, 0.4), 0.4);
  });

  it('handles a dimension that is not a multiple of the vector width', async () => {
    const odd = generateSyntheticDataset({ persons: 25, images: 613, dim: 37, seed: 11 });
    const found = await findCrossIdentityPairs(odd, 0.2);
    expectSameAsBruteForce(found, crossReference(odd, 0.2), 0.2);
  });

  it('returns every cross-identity pair at threshold -1', async () => {
    const small = generateSyntheticDataset({ persons: 9, images: 100, seed: 5 });
    const found = await findCrossIdentityPairs(small, -1);
    const reference = crossReference(small, -1);
    expect(found.i.length).toBe(reference.length);
  });

  it('returns one tile of the join: exactly its rows and columns cut out of the whole join, in the same order', async () => {
    const native = nativeSimilarity();
    const whole = await native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9);
    const tiles = [
      { rowStart: 300, rowEnd: 1700, colStart: 1000, colEnd: 2400 },
      { rowStart: 0, rowEnd: 1250, colStart: 1250, colEnd: 2501 },
      { rowStart: 1250, rowEnd: 2501, colStart: 1250, colEnd: 2501 },
      { rowStart: 2000, rowEnd: 2501, colStart: 0, colEnd: 1000 },
    ];
    for (const range of tiles) {
      const tile = await native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9, range);
      const inside = (p: number) =>
        whole.i[p] >= range.rowStart && whole.i[p] < range.rowEnd && whole.j[p] >= range.colStart && whole.j[p] < range.colEnd;
      const cut = Array.from(whole.i.keys()).filter(inside);
      expect(Array.from(tile.i)).toEqual(cut.map((p) => whole.i[p]));
      expect(Array.from(tile.j)).toEqual(cut.map((p) => whole.j[p]));
      expect(Array.from(tile.sim)).toEqual(cut.map((p) => whole.sim[p]));
      expect(tile.qualifying).toBe(cut.length);
    }
  });

  it('computes a tile from only its row block and column block, concatenated', async () => {
    const native = nativeSimilarity();
    const whole = await native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9);
    const rows = [200, 900] as const;
    const cols = [1500, 2501] as const;
    const block = (start: number, end: number) => data.vectors.subarray(start * data.dim, end * data.dim);
    const vectors = new Float32Array([...block(...rows), ...block(...cols)]);
    const labels = new Int32Array([...data.labels.subarray(...rows), ...data.labels.subarray(...cols)]);
    const height = rows[1] - rows[0];
    const tile = await native.pairsAbove(vectors, data.dim, labels, 0.3, Infinity, 1e9, {
      rowStart: 0,
      rowEnd: height,
      colStart: height,
      colEnd: labels.length,
    });
    const cut = Array.from(whole.i.keys()).filter(
      (p) => whole.i[p] >= rows[0] && whole.i[p] < rows[1] && whole.j[p] >= cols[0] && whole.j[p] < cols[1],
    );
    expect(cut.length).toBeGreaterThan(0);
    expect(Array.from(tile.i, (i) => i + rows[0])).toEqual(cut.map((p) => whole.i[p]));
    expect(Array.from(tile.j, (j) => j - height + cols[0])).toEqual(cut.map((p) => whole.j[p]));
    expect(Array.from(tile.sim)).toEqual(cut.map((p) => whole.sim[p]));
  });

  it('rejects a range outside the matrix', async () => {
    const native = nativeSimilarity();
    expect(() => native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9, { rowEnd: 2502 })).toThrow(/range.rowEnd/);
    expect(() => native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9, { colStart: 9, colEnd: 3 })).toThrow(
      /starts must not exceed/,
    );
  });

  it('returns the pairs in the same order on every run', async () => {
    const a = await findCrossIdentityPairs(data, 0.3);
    const b = await findCrossIdentityPairs(data, 0.3);
    expect(Array.from(b.i)).toEqual(Array.from(a.i));
    expect(Array.from(b.j)).toEqual(Array.from(a.j));
  });

  it('stops with the exact count and a threshold that fits when the pair cap is exceeded', async () => {
    const maxPairs = 2_000;
    const error = await findCrossIdentityPairs(data, 0.1, { maxPairs }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyPairsError);
    const tooMany = error as TooManyPairsError;
    expect(tooMany.pairCount).toBe(reference.filter((p) => p.sim >= 0.1).length);
    const suggested = tooMany.suggestedThreshold!;
    expect(tooMany.message).toContain(suggested.toFixed(2));
    const atSuggestion = await findCrossIdentityPairs(data, suggested, { maxPairs });
    expect(atSuggestion.i.length).toBe(tooMany.suggestedPairCount);
    expect(atSuggestion.i.length).toBeLessThanOrEqual(maxPairs);
    // The suggestion is the lowest such threshold in steps of 0.01.
    const justBelow = Math.round(suggested * 100 - 1) / 100;
    expect(reference.filter((p) => p.sim >= justBelow).length).toBeGreaterThan(maxPairs);
  });

  it('accepts a result of exactly maxPairs pairs', async () => {
    const count = (await findCrossIdentityPairs(data, 0.5)).i.length;
    const again = await findCrossIdentityPairs(data, 0.5, { maxPairs: count });
    expect(again.i.length).toBe(count);
  });

  it('returns nothing for an empty dataset, a single person, or one image', async () => {
    const empty: EmbeddingSet = { vectors: new Float32Array(0), dim: 512, labels: new Int32Array(0) };
    expect((await findCrossIdentityPairs(empty, 0.4)).i.length).toBe(0);
    const one = generateSyntheticDataset({ persons: 1, images: 40, seed: 2 });
    expect((await findCrossIdentityPairs(one, -1)).i.length).toBe(0);
    const single: EmbeddingSet = { vectors: one.vectors.slice(0, 512), dim: 512, labels: new Int32Array(1) };
    expect((await findCrossIdentityPairs(single, -1)).i.length).toBe(0);
  });

  it('pairs every image with every other when each person has one image', async () => {
    const ones = generateSyntheticDataset({ persons: 30, images: 30, seed: 4 });
    expect((await findCrossIdentityPairs(ones, -1)).i.length).toBe((30 * 29) / 2);
  });

  it('rejects vectors that do not match labels and dim', async () => {
    const bad: EmbeddingSet = { vectors: new Float32Array(10), dim: 4, labels: new Int32Array(2) };
    await expect(findCrossIdentityPairs(bad, 0.4)).rejects.toThrow(/expected labels.length \* dim/);
  });
});
