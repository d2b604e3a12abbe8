import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { findCrossIdentityPairs, nativeSimilarity, TooManyPairsError, type EmbeddingSet, type PairList } from '@/lib/similarity';
import { createGaussian, createRng, generateSyntheticDataset, normalizeInPlace } from '@/lib/similarity/synthetic';
import { atLeast, bruteForcePairs, float32Sim, pairKey, shuffleRows, type BrutePair } from './brute-force';

/** Asserts `found` is exactly the reference: the same pairs, in the same order, with bit-identical similarities. */
function expectExactly(found: PairList, reference: BrutePair[]) {
  const got = Array.from(found.i, (i, p) => `${i}:${found.j[p]}:${found.sim[p]}`);
  const want = reference.map((p) => `${p.i}:${p.j}:${p.sim}`);
  if (got.length === want.length && got.every((key, p) => key === want[p])) return;
  const gotSet = new Set(got);
  const wantSet = new Set(want);
  expect(got.filter((key) => !wantSet.has(key)).slice(0, 10), 'extra or wrongly scored pairs').toEqual([]);
  expect(want.filter((key) => !gotSet.has(key)).slice(0, 10), 'missing pairs').toEqual([]);
  expect(got).toEqual(want);
}

const crossAbove = (reference: BrutePair[], set: EmbeddingSet, threshold: number) =>
  reference.filter((p) => set.labels[p.i] !== set.labels[p.j] && atLeast(p.sim, threshold));

function crossReference(set: EmbeddingSet, lowest: number): BrutePair[] {
  return bruteForcePairs(set, (sim, same) => !same && atLeast(sim, lowest));
}

/** The float32 value right above `value`. */
function nextFloat32Up(value: number): number {
  const bits = new Float32Array([Math.fround(value)]);
  const int = new Int32Array(bits.buffer);
  int[0] += value >= 0 ? 1 : -1;
  return bits[0];
}

/**
 * Vectors that make int8 quantisation as wrong as it gets: one large spike per vector sets the
 * scale, and every other component sits half a quantisation step off the grid, so each rounds by
 * the most it can. Persons share spike positions and a common direction, so cross-person
 * similarities spread over the thresholds tested.
 */
function worstCaseForInt8(persons: number, images: number, dim: number, seed: number): EmbeddingSet {
  const rng = createRng(seed);
  const gaussian = createGaussian(rng);
  const common = Array.from({ length: dim }, () => gaussian() * 4);
  const centres = Array.from({ length: persons }, () => Array.from({ length: dim }, () => gaussian() * 4));
  const spikes = Array.from({ length: persons }, () => Math.floor(rng() * 4));
  const vectors = new Float32Array(images * dim);
  const labels = new Int32Array(images);
  for (let r = 0; r < images; r++) {
    const person = r % persons;
    labels[r] = person;
    const v = vectors.subarray(r * dim, (r + 1) * dim);
    for (let k = 0; k < dim; k++) {
      const steps = Math.max(-60, Math.min(60, Math.floor(common[k] + centres[person][k] + gaussian() * 3)));
      v[k] = steps + 0.5;
    }
    v[spikes[person]] = 127 * (rng() < 0.5 ? -1 : 1);
    normalizeInPlace(v);
  }
  return { vectors, dim, labels };
}

/** The largest |int8 estimate - float32Sim| over the pairs sampled, with per-vector max-abs scales. */
function largestInt8Error(set: EmbeddingSet, samples: number): number {
  const { vectors, dim } = set;
  const n = set.labels.length;
  const quantised = (r: number) => {
    const v = vectors.subarray(r * dim, (r + 1) * dim);
    const scale = Math.fround(v.reduce((m, x) => Math.max(m, Math.abs(x)), 0) / 127);
    return { scale, q: Array.from(v, (x) => Math.max(-127, Math.min(127, Math.round(x / scale)))) };
  };
  const rng = createRng(1);
  let worst = 0;
  for (let s = 0; s < samples; s++) {
    const a = Math.floor(rng() * n);
    const b = Math.floor(rng() * n);
    const qa = quantised(a);
    const qb = quantised(b);
    let sum = 0;
    for (let k = 0; k < dim; k++) sum += qa.q[k] * qb.q[k];
    worst = Math.max(worst, Math.abs(sum * qa.scale * qb.scale - float32Sim(set, a, b)));
  }
  return worst;
}

// Up to six paths in turn, the scalar ones slow on purpose; generous for a shared machine.
const EVERY_PATH_TIMEOUT = 300_000;

/** Runs `check` once with each instruction path of the join this CPU has, then restores the default. */
async function withEveryPath(check: (path: string) => Promise<void>) {
  const native = nativeSimilarity();
  const { active, available } = native.kernels();
  try {
    for (const path of available) {
      native.useKernels(path);
      await check(path);
    }
  } finally {
    native.useKernels(active);
  }
}

describe('findCrossIdentityPairs', () => {
  // 2,501 rows: not a multiple of any tile or block size, so edge tiles are exercised.
  const data = generateSyntheticDataset({ persons: 70, images: 2501, seed: 7, misfiledShare: 0.02, splitPersons: 2 });
  const thresholds = [0.1, 0.3, 0.4, 0.5, 0.8];
  const reference = crossReference(data, Math.min(...thresholds));

  it.each(thresholds)('returns exactly the float32 brute-force pairs at threshold %s', async (threshold) => {
    const found = await findCrossIdentityPairs(data, threshold);
    expectExactly(found, crossAbove(reference, data, threshold));
    expect(found.i.length).toBeGreaterThan(0);
  });

  it('offers an int8 join and the float32 join, the int8 one by default where the CPU has AVX2', () => {
    const { active, available } = nativeSimilarity().kernels();
    expect(available).toEqual(expect.arrayContaining(['int8-scalar', 'float32-scalar']));
    if (available.includes('int8-avx2')) expect(active).toMatch(/^int8-/);
  });

  it(
    'includes pairs exactly on the threshold and excludes those one float32 step below it, on every instruction path',
    async () => {
      // Thresholds equal to pairs' own similarities, where pairs lie densely: many others within 1e-6.
      const sims = reference.map((p) => p.sim).sort((a, b) => a - b);
      const within = (t: number) => sims.filter((sim) => Math.abs(sim - t) < 1e-6).length;
      let densest = sims[0];
      for (let p = 0, q = 0; p < sims.length; p++) {
        while (sims[p] - sims[q] >= 1e-6) q++;
        if (p - q > within(densest)) densest = sims[p];
      }
      const onThreshold = [densest, sims[Math.floor(sims.length / 2)], sims[sims.length - 20]];
      expect(within(densest)).toBeGreaterThan(5);
      await withEveryPath(async (path) => {
        for (const threshold of onThreshold) {
          for (const t of [threshold, nextFloat32Up(threshold)]) {
            const found = await findCrossIdentityPairs(data, t);
            const want = crossAbove(reference, data, t);
            expect(found.i.length, `${path} at ${t}`).toBe(want.length);
            expectExactly(found, want);
          }
        }
      });
    },
    EVERY_PATH_TIMEOUT,
  );

  it(
    'returns the same pairs, bit for bit, on every instruction path and at every threshold',
    async () => {
      await withEveryPath(async (path) => {
        for (const threshold of [0.1, 0.4, 0.8]) {
          const found = await findCrossIdentityPairs(data, threshold);
          expect(found.i.length, path).toBe(crossAbove(reference, data, threshold).length);
          expectExactly(found, crossAbove(reference, data, threshold));
        }
      });
    },
    EVERY_PATH_TIMEOUT,
  );

  it(
    'stays exact on vectors built to maximise the int8 quantisation error',
    async () => {
      const hard = worstCaseForInt8(40, 1200, 512, 13);
      expect(largestInt8Error(hard, 400)).toBeGreaterThan(0.01);
      const hardReference = crossReference(hard, 0.2);
      const counts: number[] = [];
      await withEveryPath(async () => {
        for (const threshold of [0.2, 0.35, 0.5, 0.7]) {
          const want = crossAbove(hardReference, hard, threshold);
          counts.push(want.length);
          expectExactly(await findCrossIdentityPairs(hard, threshold), want);
        }
      });
      expect(Math.min(...counts)).toBeGreaterThan(0);
    },
    EVERY_PATH_TIMEOUT,
  );

  it('agrees with faiss-node IndexFlatIP wherever float32 rounding cannot decide', async () => {
    const small = generateSyntheticDataset({ persons: 30, images: 1200, seed: 17, misfiledShare: 0.03 });
    const n = small.labels.length;
    const faiss = createRequire(import.meta.url)('faiss-node') as {
      IndexFlatIP: new (d: number) => { add(x: number[]): void; search(x: number[], k: number): { distances: number[]; labels: number[] } };
    };
    const index = new faiss.IndexFlatIP(small.dim);
    index.add(Array.from(small.vectors));
    const { distances, labels } = index.search(Array.from(small.vectors), n);
    const byFaiss = new Map<string, number>();
    for (let q = 0; q < n; q++) {
      for (let k = 0; k < n; k++) {
        const j = labels[q * n + k];
        if (q < j && small.labels[q] !== small.labels[j]) byFaiss.set(pairKey(q, j), distances[q * n + k]);
      }
    }
    // Any float32 summation of 512 products of unit vectors is within gamma_512 of the exact value.
    const u = 2 ** -24;
    const band = 2 * ((small.dim * u) / (1 - small.dim * u));
    for (const threshold of [0.2, 0.3, 0.4, 0.5]) {
      const found = await findCrossIdentityPairs(small, threshold);
      const ours = new Map(Array.from(found.i, (i, p) => [pairKey(i, found.j[p]), found.sim[p]]));
      const disagreements: string[] = [];
      for (const [key, score] of byFaiss) {
        const decided = Math.abs(score - threshold) > band;
        if (decided && ours.has(key) !== score >= threshold) disagreements.push(`${key}: faiss ${score}, ours ${ours.get(key)}`);
        if (ours.has(key) && Math.abs(ours.get(key)! - score) > band) disagreements.push(`${key}: faiss ${score}, ours ${ours.get(key)}`);
      }
      expect(disagreements.slice(0, 10)).toEqual([]);
      expect(found.i.length).toBeGreaterThan(0);
    }
  });

  it('finds the same pairs when the rows of a folder are not contiguous', async () => {
    const shuffled = shuffleRows(data, createRng(3));
    const found = await findCrossIdentityPairs(shuffled, 0.4);
    expectExactly(found, crossReference(shuffled, 0.4));
  });

  it('handles a dimension that is not a multiple of the vector width', async () => {
    const odd = generateSyntheticDataset({ persons: 25, images: 613, dim: 37, seed: 11 });
    await withEveryPath(async () => {
      expectExactly(await findCrossIdentityPairs(odd, 0.2), crossReference(odd, 0.2));
    });
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
      const inside = (p: number) => whole.i[p] >= range.rowStart && whole.i[p] < range.rowEnd && whole.j[p] >= range.colStart && whole.j[p] < range.colEnd;
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
    const cut = Array.from(whole.i.keys()).filter((p) => whole.i[p] >= rows[0] && whole.i[p] < rows[1] && whole.j[p] >= cols[0] && whole.j[p] < cols[1]);
    expect(cut.length).toBeGreaterThan(0);
    expect(Array.from(tile.i, (i) => i + rows[0])).toEqual(cut.map((p) => whole.i[p]));
    expect(Array.from(tile.j, (j) => j - height + cols[0])).toEqual(cut.map((p) => whole.j[p]));
    expect(Array.from(tile.sim)).toEqual(cut.map((p) => whole.sim[p]));
  });

  it('rejects a range outside the matrix', async () => {
    const native = nativeSimilarity();
    expect(() => native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9, { rowEnd: 2502 })).toThrow(/range.rowEnd/);
    expect(() => native.pairsAbove(data.vectors, data.dim, data.labels, 0.3, Infinity, 1e9, { colStart: 9, colEnd: 3 })).toThrow(/starts must not exceed/);
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
    expect(tooMany.pairCount).toBe(crossAbove(reference, data, 0.1).length);
    const suggested = tooMany.suggestedThreshold!;
    expect(tooMany.message).toContain(suggested.toFixed(2));
    const atSuggestion = await findCrossIdentityPairs(data, suggested, { maxPairs });
    expect(atSuggestion.i.length).toBe(tooMany.suggestedPairCount);
    expect(atSuggestion.i.length).toBeLessThanOrEqual(maxPairs);
    // The suggestion is the lowest such threshold in steps of 0.01.
    const justBelow = Math.round(suggested * 100 - 1) / 100;
    expect(crossAbove(reference, data, justBelow).length).toBeGreaterThan(maxPairs);
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
