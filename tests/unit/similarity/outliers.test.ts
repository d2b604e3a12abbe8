import { describe, expect, it } from 'vitest';
import { DEFAULT_OUTLIER_THRESHOLD, findOutliers, type EmbeddingSet } from '@/lib/similarity';
import { createGaussian, createRng, generateSyntheticDataset, normalizeInPlace } from '@/lib/similarity/synthetic';
import { dot } from './brute-force';

function rowsOf(set: EmbeddingSet, label: number): number[] {
  return Array.from(set.labels.keys()).filter((r) => set.labels[r] === label);
}

/** Cosine of row r to the mean of the other rows of its folder, the slow way. */
function leaveOneOutScore(set: EmbeddingSet, r: number): number {
  const others = rowsOf(set, set.labels[r]).filter((o) => o !== r);
  const centroid = new Float64Array(set.dim);
  for (const o of others) for (let k = 0; k < set.dim; k++) centroid[k] += set.vectors[o * set.dim + k];
  let xc = 0;
  let cc = 0;
  for (let k = 0; k < set.dim; k++) {
    xc += set.vectors[r * set.dim + k] * centroid[k];
    cc += centroid[k] * centroid[k];
  }
  return xc / Math.sqrt(cc);
}

describe('findOutliers', () => {
  const data = generateSyntheticDataset({ persons: 30, images: 900, seed: 31, misfiledShare: 0, duplicateShare: 0 });
  // Plant one image of person 4 in folder 9.
  const host = 9;
  const truePerson = 4;
  const misfiled = rowsOf(data, host)[2];
  const rng = createRng(99);
  const gauss = createGaussian(rng);
  const centre = new Float64Array(data.dim);
  for (const r of rowsOf(data, truePerson)) for (let k = 0; k < data.dim; k++) centre[k] += data.vectors[r * data.dim + k];
  const planted = new Float32Array(data.dim);
  for (let k = 0; k < data.dim; k++) planted[k] = centre[k] / rowsOf(data, truePerson).length + 0.03 * gauss();
  data.vectors.set(normalizeInPlace(planted), misfiled * data.dim);

  it('ranks a misfiled image as the top outlier of its folder and names its real identity', async () => {
    const report = await findOutliers(data);
    const folderScores = rowsOf(data, host).map((r) => report.score[r]);
    expect(report.score[misfiled]).toBe(Math.min(...folderScores));
    expect(report.score[misfiled]).toBeLessThan(DEFAULT_OUTLIER_THRESHOLD);
    expect(report.flagged[0]).toBe(misfiled);
    expect(report.nearestIdentity[misfiled]).toBe(truePerson);
    expect(report.nearestIdentitySimilarity[misfiled]).toBeGreaterThan(0.6);
  });

  it('scores each image against the leave-one-out centroid of its own folder', async () => {
    const report = await findOutliers(data);
    for (const r of [0, 17, misfiled, 450, 899]) expect(report.score[r]).toBeCloseTo(leaveOneOutScore(data, r), 5);
  });

  it('averages the ten most similar images of the same folder', async () => {
    const report = await findOutliers(data);
    for (const r of [0, misfiled, 523]) {
      const sims = rowsOf(data, data.labels[r])
        .filter((o) => o !== r)
        .map((o) => dot(data, r, o))
        .sort((a, b) => b - a);
      const top = sims.slice(0, 10);
      expect(report.neighbourMean[r]).toBeCloseTo(top.reduce((a, b) => a + b, 0) / top.length, 5);
    }
  });

  it('names the most similar other identity, never the own folder', async () => {
    const report = await findOutliers(data);
    for (let r = 0; r < data.labels.length; r++) expect(report.nearestIdentity[r]).not.toBe(data.labels[r]);
  });

  it('flags genuine images rarely at the default threshold', async () => {
    const clean = generateSyntheticDataset({ persons: 60, images: 3000, seed: 8, misfiledShare: 0, duplicateShare: 0 });
    const report = await findOutliers(clean);
    expect(report.flagged.length).toBeLessThanOrEqual(3);
  });

  it('leaves single-image folders unscored and unflagged', async () => {
    const set: EmbeddingSet = {
      vectors: data.vectors.slice(0, 3 * data.dim),
      dim: data.dim,
      labels: Int32Array.from([0, 1, 1]),
    };
    const report = await findOutliers(set);
    expect(report.score[0]).toBeNaN();
    expect(report.neighbourMean[0]).toBeNaN();
    expect(report.score[1]).toBeCloseTo(dot(set, 1, 2), 5);
    expect(report.neighbourMean[1]).toBeCloseTo(dot(set, 1, 2), 5);
    expect(report.flagged).not.toContain(0);
    expect(report.nearestIdentity[0]).toBe(1);
  });

  it('handles an empty dataset and a dataset of one person', async () => {
    const empty = await findOutliers({ vectors: new Float32Array(0), dim: 8, labels: new Int32Array(0) });
    expect(empty.flagged.length).toBe(0);
    const one = generateSyntheticDataset({ persons: 1, images: 20, seed: 3 });
    const report = await findOutliers(one);
    expect(Array.from(report.nearestIdentity)).toEqual(new Array(20).fill(-1));
    expect(report.nearestIdentitySimilarity[0]).toBeNaN();
  });
});
