import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { updateSettingsSchema } from '@/lib/schemas/settings';
import { runScanInline } from '@/lib/services/jobs';
import { getSettings, updateSettings } from '@/lib/services/settings';
import { HISTOGRAM_BIN_WIDTH, HISTOGRAM_FROM, similarityHistogram } from '@/lib/services/similarity-histogram';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';
import { runUnprivileged } from '../support/unprivileged';

const quiet = () => {};
const sum = (counts: number[]) => counts.reduce((total, n) => total + n, 0);
const mean = (counts: number[]) => counts.reduce((total, n, bin) => total + n * (HISTOGRAM_FROM + (bin + 0.5) * HISTOGRAM_BIN_WIDTH), 0) / sum(counts);

beforeEach(resetDatabase);

describe('the dataset root', () => {
  it('is stored once, as the real path the scanner uses, and a second folder is refused', async () => {
    const root = copySample();
    const link = path.join(os.tmpdir(), `facesift-link-${process.pid}-${Date.now()}`);
    fs.symlinkSync(root, link);
    expect((await updateSettings({ datasetRoot: link })).datasetRoot).toBe(fs.realpathSync(root));
    expect((await updateSettings({ datasetRoot: root })).datasetRoot).toBe(fs.realpathSync(root));
    await expect(updateSettings({ datasetRoot: copySample() })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already reviews .*another database/),
    });
    await expect(runScanInline({ root: link, force: false, search: false }, quiet, quiet)).resolves.toBeTruthy();
  });

  it('must exist and be a folder', async () => {
    await expect(updateSettings({ datasetRoot: '/nonexistent/faces' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/does not exist/),
    });
    const file = path.join(copySample(), 'amy', 'amy1.png');
    await expect(updateSettings({ datasetRoot: file })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/not a folder/) });
    expect((await getSettings()).datasetRoot).toBeNull();
  });

  it('must be readable by the server', async () => {
    const root = copySample();
    fs.chmodSync(root, 0o000);
    try {
      const answer = runUnprivileged(`
        import { closeDb } from '@/lib/db';
        import { updateSettings } from '@/lib/services/settings';
        try {
          await updateSettings({ datasetRoot: ${JSON.stringify(root)} });
          console.log(JSON.stringify({ accepted: true }));
        } catch (error) {
          console.log(JSON.stringify({ status: error.status, message: error.message }));
        } finally {
          await closeDb();
        }`);
      expect(JSON.parse(answer)).toMatchObject({ status: 400, message: expect.stringMatching(/cannot be read/) });
      expect((await getSettings()).datasetRoot).toBeNull();
    } finally {
      fs.chmodSync(root, 0o755);
    }
  });

  it('must be an absolute path', () => {
    expect(updateSettingsSchema.safeParse({ datasetRoot: 'faces' }).error?.issues[0].message).toMatch(/absolute path/);
  });
});

describe('model, thresholds and skip folders', () => {
  it('accepts an .onnx file that exists, and refuses one that does not', async () => {
    const model = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-model-')), 'mine.onnx');
    await expect(updateSettings({ model, preset: 'insightface-arcface' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/does not exist/),
    });
    fs.writeFileSync(model, 'onnx bytes');
    expect(await updateSettings({ model, preset: 'insightface-arcface' })).toMatchObject({ model, preset: 'insightface-arcface' });
    expect(updateSettingsSchema.safeParse({ model: '/models/mine.bin' }).success).toBe(false);
  });

  it('keeps the default model on its own preset', async () => {
    await expect(updateSettings({ preset: 'face01-japanese-v1' })).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/default model/) });
    expect((await getSettings()).preset).toBe('default');
  });

  it('stores thresholds, falls back to the preset default on null, and refuses values outside 0..1', async () => {
    expect(await updateSettings({ crossThreshold: 0.47, duplicateThreshold: 0.9, outlierThreshold: 0.3 })).toMatchObject({
      crossThreshold: 0.47,
      duplicateThreshold: 0.9,
      outlierThreshold: 0.3,
    });
    expect(await updateSettings({ crossThreshold: null })).toMatchObject({ crossThreshold: null, defaults: { crossThreshold: 0.4 } });
    expect(updateSettingsSchema.safeParse({ crossThreshold: 1.2 }).error?.issues[0].message).toMatch(/above 1/);
    expect(updateSettingsSchema.safeParse({}).error?.issues[0].message).toMatch(/nothing to change/);
  });

  it('stores skip folders trimmed and refuses paths and repeats', async () => {
    expect((await updateSettings({ skipFolders: [' not_me ', 'rejects'] })).skipFolders).toEqual(['not_me', 'rejects']);
    expect(updateSettingsSchema.safeParse({ skipFolders: ['a/b'] }).success).toBe(false);
    expect(updateSettingsSchema.safeParse({ skipFolders: ['noFace', 'noface'] }).error?.issues[0].message).toMatch(/twice/);
  });
});

describe('the similarity histogram', () => {
  it('counts every pair of a small dataset, with same-person pairs far above different-person ones', async () => {
    await runScanInline({ root: copySample(), force: false, search: false }, quiet, quiet);
    const histogram = await similarityHistogram();
    // 8 people with 5 images each: 8 * 10 same-person pairs of the 780
    expect(histogram.sample).toMatchObject({ images: 40, identities: 8, samePairs: 80, differentPairs: 700, allPairs: true });
    expect(histogram.dataset).toEqual({ images: 40, identities: 8, samePairs: 80, differentPairs: 700 });
    expect(sum(histogram.same)).toBe(80);
    expect(sum(histogram.different)).toBe(700);
    expect(mean(histogram.same) - mean(histogram.different)).toBeGreaterThan(0.3);
    expect(histogram.outliers).toBeNull();
  });

  it('draws random pairs when a dataset has more than it can count, keeping the two groups apart', async () => {
    // 20 people with 50 images each: 24,500 same-person pairs (all counted) and 475,000 different-person ones (sampled)
    const people = 20;
    const perPerson = 50;
    const dim = people;
    const vectors: Buffer[] = [];
    for (let p = 0; p < people; p++) {
      const centre = Array.from({ length: dim }, (_, k) => (k === p ? 1 : 0));
      for (let i = 0; i < perPerson; i++) {
        const v = centre.map((c) => c + (Math.random() - 0.5) * 0.3);
        const norm = Math.hypot(...v);
        vectors.push(Buffer.from(new Float32Array(v.map((x) => x / norm)).buffer));
      }
    }
    const pool = getPool();
    await pool.query(`INSERT INTO "Identity" (name) SELECT 'p' || n FROM generate_series(1, $1) AS n`, [people]);
    await pool.query(
      `INSERT INTO "Image" ("identityId", path, "contentHash", size, status, "embeddedAt", "updatedAt")
       SELECT (n - 1) / $1 + 1, 'p' || ((n - 1) / $1 + 1) || '/' || n || '.png', md5(n::text), 1, 'ok', now(), now() FROM generate_series(1, $2) AS n`,
      [perPerson, people * perPerson],
    );
    await pool.query(
      `INSERT INTO "Embedding" ("imageId", model, dim, vector, "contentHash")
       SELECT i.id, 'default', $1, v, i."contentHash" FROM unnest($2::bytea[]) WITH ORDINALITY AS t(v, n) JOIN "Image" i ON i.id = t.n`,
      [dim, vectors],
    );
    const histogram = await similarityHistogram();
    expect(histogram.sample).toMatchObject({ images: 1000, identities: 20, samePairs: 24_500, differentPairs: 475_000, allPairs: false });
    expect(sum(histogram.same)).toBe(24_500);
    expect(sum(histogram.different)).toBe(300_000);
    expect(mean(histogram.same) - mean(histogram.different)).toBeGreaterThan(0.5);
  });

  it('is empty before anything is embedded', async () => {
    const histogram = await similarityHistogram();
    expect(histogram.sample.images).toBe(0);
    expect(sum(histogram.same) + sum(histogram.different)).toBe(0);
  });

  it('bins the outlier scores of the latest search', async () => {
    await runScanInline({ root: copySample(), force: false, search: false }, quiet, quiet);
    await getPool().query(
      `INSERT INTO "Outlier" ("imageId", "identityId", score, flagged, "subjectKey")
       SELECT id, "identityId", CASE WHEN id % 10 = 0 THEN 0.1 ELSE 0.8 END, id % 10 = 0, 'k' || id FROM "Image"`,
    );
    const { outliers } = await similarityHistogram();
    const bin = (score: number) => Math.floor((score - HISTOGRAM_FROM) / HISTOGRAM_BIN_WIDTH + 1e-9);
    expect(outliers!.images).toBe(40);
    expect(outliers!.counts[bin(0.1)]).toBe(4);
    expect(outliers!.counts[bin(0.8)]).toBe(36);
  });
});
