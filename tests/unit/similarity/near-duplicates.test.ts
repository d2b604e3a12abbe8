import { describe, expect, it } from 'vitest';
import { findCandidatePairs, findNearDuplicates, TooManyPairsError, type EmbeddingSet } from '@/lib/similarity';
import { generateSyntheticDataset } from '@/lib/similarity/synthetic';
import { atLeast, bruteForcePairs, float32Sim, pairKey } from './brute-force';

function keys(list: { i: Int32Array; j: Int32Array }): string[] {
  return Array.from(list.i, (i, p) => pairKey(i, list.j[p])).sort();
}

describe('findNearDuplicates', () => {
  const data = generateSyntheticDataset({ persons: 40, images: 1200, seed: 21, duplicateShare: 0.02 });

  it('finds every pair at or above the duplicate threshold, inside and across folders', async () => {
    const found = await findNearDuplicates(data, 0.95);
    const reference = bruteForcePairs(data, (sim) => atLeast(sim, 0.95));
    expect(keys(found)).toEqual(reference.map((p) => pairKey(p.i, p.j)).sort());
    const planted = data.truth.duplicates.map(([a, b]) => pairKey(a, b));
    expect(keys(found)).toEqual(expect.arrayContaining(planted));
    const across = data.truth.duplicates.filter(([a, b]) => data.labels[a] !== data.labels[b]);
    const inside = data.truth.duplicates.filter(([a, b]) => data.labels[a] === data.labels[b]);
    expect(across.length).toBeGreaterThan(0);
    expect(inside.length).toBeGreaterThan(0);
  });

  it('adds images with identical content hashes whatever their similarity', async () => {
    const hashes: (string | null)[] = Array.from({ length: data.labels.length }, (_, r) => `h${r}`);
    hashes[3] = 'same';
    hashes[700] = 'same';
    hashes[5] = null;
    hashes[6] = null;
    const found = await findNearDuplicates(data, 0.95, hashes);
    const p = Array.from(found.i).findIndex((i, q) => i === 3 && found.j[q] === 700);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(found.sameHash[p]).toBe(1);
    expect(found.sim[p]).toBe(float32Sim(data, 3, 700));
    expect(keys(found)).not.toContain(pairKey(5, 6));
    const byEmbeddingOnly = Array.from(found.sameHash).filter((flag) => flag === 0).length;
    expect(byEmbeddingOnly).toBe(found.i.length - 1);
  });

  it('flags a pair found by both similarity and hash once, as same-hash', async () => {
    const [a, b] = data.truth.duplicates[0];
    const hashes = Array.from({ length: data.labels.length }, (_, r) => (r === a || r === b ? 'dup' : `h${r}`));
    const found = await findNearDuplicates(data, 0.95, hashes);
    const matches = Array.from(found.i).flatMap((i, q) => (i === a && found.j[q] === b ? [q] : []));
    expect(matches).toHaveLength(1);
    expect(found.sameHash[matches[0]]).toBe(1);
  });

  it('returns both kinds from one search, each complete', async () => {
    const { cross, nearDuplicates } = await findCandidatePairs(data, { threshold: 0.4, dupThreshold: 0.95 });
    const crossReference = bruteForcePairs(data, (sim, same) => !same && atLeast(sim, 0.4));
    expect(keys(cross)).toEqual(crossReference.map((p) => pairKey(p.i, p.j)).sort());
    expect(keys(nearDuplicates)).toEqual(keys(await findNearDuplicates(data, 0.95)));
  });

  it('stops without a threshold suggestion when identical files alone exceed the pair cap', async () => {
    const hashes = Array.from({ length: data.labels.length }, (_, r) => (r < 100 ? 'blank' : `h${r}`));
    const error = await findNearDuplicates(data, 0.95, hashes, { maxPairs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TooManyPairsError);
    expect((error as TooManyPairsError).suggestedThreshold).toBeNull();
    expect((error as TooManyPairsError).message).toMatch(/near-duplicates .* alone exceed it/);
  });

  it('returns nothing for an empty dataset', async () => {
    const empty: EmbeddingSet = { vectors: new Float32Array(0), dim: 512, labels: new Int32Array(0) };
    const found = await findNearDuplicates(empty, 0.95, []);
    expect(found.i.length).toBe(0);
  });
});
