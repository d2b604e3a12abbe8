import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { jobsRepository } from '@/lib/repositories/jobs';
import { settingsRepository } from '@/lib/repositories/settings';
import { importNpz } from '@/lib/services/import-npz';
import { JobProgress } from '@/lib/services/job-progress';
import { createRng } from '@/lib/similarity/synthetic';
import { copySample } from '../support/datasets';
import { face01Arrays, writeNpz } from '../support/npz-writer';
import { resetDatabase } from '../support/reset';

beforeEach(resetDatabase);

function randomVector(rng: () => number, dim: number): number[] {
  return Array.from({ length: dim }, () => (rng() - 0.5) * 80);
}

async function runImport(root: string) {
  const job = await jobsRepository.create('import-npz', {}, null);
  const log: string[] = [];
  const summary = await importNpz({ root }, new JobProgress(job.id), (line) => log.push(line));
  const { rows } = await getPool().query(`SELECT errors FROM "Job" WHERE id = $1`, [job.id]);
  return { summary, log, errors: rows[0].errors as { path: string; reason: string }[] };
}

describe('importing FACE01 npKnown.npz files', () => {
  it('stores the vectors it reads, normalised, under the names they belong to', async () => {
    const root = copySample();
    fs.renameSync(path.join(root, 'amy'), path.join(root, '杏野なつ'));
    for (const name of fs.readdirSync(path.join(root, '杏野なつ'))) {
      fs.renameSync(path.join(root, '杏野なつ', name), path.join(root, '杏野なつ', name.replace('amy', '杏野なつ_')));
    }
    const rng = createRng(7);
    const written = new Map<string, number[]>();
    for (const person of fs.readdirSync(root)) {
      // FACE01 leaves out images where it found no face: the last one of each folder here
      const names = fs.readdirSync(path.join(root, person)).sort().slice(0, 4);
      const vectors = names.map(() => randomVector(rng, 512));
      names.forEach((name, k) => written.set(`${person}/${name}`, vectors[k]));
      writeNpz(path.join(root, person, 'npKnown.npz'), face01Arrays({ names, vectors }), { compressed: person === 'raj' });
    }
    const { summary } = await runImport(root);
    expect(summary).toMatchObject({ folders: 8, imported: 32, withoutVector: 8, failedFolders: 0, model: 'imported: efficientnetv2_arcface' });
    const { rows } = await getPool().query(
      `SELECT i.path, i.status::text, i.reason, e.vector, e.model FROM "Image" i LEFT JOIN "Embedding" e ON e."imageId" = i.id`,
    );
    for (const row of rows) {
      const expected = written.get(row.path);
      if (!expected) {
        expect(row).toMatchObject({ status: 'no_face', reason: expect.stringContaining('npKnown.npz') });
        continue;
      }
      const stored = new Float32Array(new Uint8Array(row.vector).buffer);
      const norm = Math.hypot(...expected);
      expected.forEach((value, k) => expect(stored[k]).toBeCloseTo(value / norm, 6));
      expect(row.model).toBe('imported: efficientnetv2_arcface');
    }
    expect(rows.some((row) => row.path === '杏野なつ/杏野なつ_1.png' && row.status === 'ok')).toBe(true);
    expect((await settingsRepository.get()).model).toBe('imported: efficientnetv2_arcface');
  });

  it('names a malformed file and what is wrong with it, and imports the other folders', async () => {
    const root = copySample();
    const rng = createRng(3);
    for (const person of fs.readdirSync(root)) {
      const names = fs.readdirSync(path.join(root, person)).sort();
      writeNpz(path.join(root, person, 'npKnown.npz'), face01Arrays({ names, vectors: names.map(() => randomVector(rng, 512)) }));
    }
    fs.writeFileSync(path.join(root, 'raj', 'npKnown.npz'), 'not a zip at all');
    const names = ['howard1.png', 'howard2.png', 'not-here.png'];
    writeNpz(path.join(root, 'howard', 'npKnown.npz'), face01Arrays({ names, vectors: names.map(() => randomVector(rng, 512)) }));
    const { summary, errors } = await runImport(root);
    expect(summary).toMatchObject({ folders: 8, failedFolders: 1, imported: 32 });
    expect(errors.find((e) => e.path === 'raj/npKnown.npz')?.reason).toMatch(/raj\/npKnown\.npz/);
    expect(errors.find((e) => e.reason.includes('not-here.png'))?.path).toBe('howard/npKnown.npz');
  });
});
