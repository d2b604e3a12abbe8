import { describe, expect, it } from 'vitest';
import { generateSyntheticDataset } from '@/lib/similarity/synthetic';
import { dot } from './brute-force';

describe('generateSyntheticDataset', () => {
  const data = generateSyntheticDataset({ persons: 40, images: 1600, seed: 12, misfiledShare: 0, duplicateShare: 0 });

  it('is reproducible from its seed', () => {
    const again = generateSyntheticDataset({ persons: 40, images: 1600, seed: 12, misfiledShare: 0, duplicateShare: 0 });
    const bytes = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(again.vectors).equals(bytes(data.vectors))).toBe(true);
    expect(bytes(again.labels).equals(bytes(data.labels))).toBe(true);
    const other = generateSyntheticDataset({ persons: 40, images: 1600, seed: 13, misfiledShare: 0, duplicateShare: 0 });
    expect(bytes(other.vectors).equals(bytes(data.vectors))).toBe(false);
  });

  it('has unit rows, every folder filled, and the requested size', () => {
    expect(data.labels.length).toBe(1600);
    expect(new Set(data.labels).size).toBe(40);
    for (const r of [0, 800, 1599]) expect(dot(data, r, r)).toBeCloseTo(1, 5);
  });

  it('matches the default model: same person ~0.68, different persons ~0', () => {
    let same = 0;
    let sameCount = 0;
    let other = 0;
    let otherCount = 0;
    for (let i = 0; i < 1600; i += 3) {
      for (let j = i + 1; j < 1600; j += 7) {
        if (data.labels[i] === data.labels[j]) {
          same += dot(data, i, j);
          sameCount++;
        } else {
          other += dot(data, i, j);
          otherCount++;
        }
      }
    }
    expect(same / sameCount).toBeGreaterThan(0.6);
    expect(same / sameCount).toBeLessThan(0.75);
    expect(Math.abs(other / otherCount)).toBeLessThan(0.05);
  });

  it('records the mistakes it plants', () => {
    const planted = generateSyntheticDataset({ persons: 40, images: 1600, seed: 12, splitPersons: 2 });
    expect(planted.truth.splits).toHaveLength(2);
    expect(planted.truth.misfiled.length).toBeGreaterThan(0);
    expect(planted.truth.duplicates.length).toBeGreaterThan(0);
    for (const { row, trueLabel } of planted.truth.misfiled) expect(planted.labels[row]).not.toBe(trueLabel);
  });
});
