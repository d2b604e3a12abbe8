import { beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { identitiesRepository } from '@/lib/repositories/identities';
import { getIdentity } from '@/lib/services/identities';
import { resetDatabase } from '../support/reset';

beforeEach(resetDatabase);

async function person(name: string, files: string[], status = 'ok'): Promise<{ id: number; images: Record<string, number> }> {
  const pool = getPool();
  const { rows } = await pool.query(`INSERT INTO "Identity" (name) VALUES ($1) RETURNING id`, [name]);
  const images: Record<string, number> = {};
  for (const file of files) {
    const image = await pool.query(
      `INSERT INTO "Image" ("identityId", path, "contentHash", size, status, "updatedAt") VALUES ($1, $2, $3, 1, $4::"ImageStatus", now()) RETURNING id`,
      [rows[0].id, `${name}/${file}`, `hash-of-${name}-${file}`, status],
    );
    images[file] = image.rows[0].id;
  }
  return { id: rows[0].id, images };
}

async function pair(imageA: number, imageB: number, identityA: number, identityB: number, similarity: number) {
  await getPool().query(
    `INSERT INTO "CandidatePair" (kind, "imageAId", "imageBId", "identityAId", "identityBId", similarity, "pairKey")
     VALUES ('cross_identity', $1, $2, $3, $4, $5, $6)`,
    [imageA, imageB, identityA, identityB, similarity, `${imageA}:${imageB}`],
  );
}

describe('people and their images', () => {
  it("lists a person's current images by path with their outlier marks, and caps them for a context strip", async () => {
    const leonard = await person('leonard', ['l2.png', 'l1.png', 'sheldon5.png']);
    const sheldon = await person('sheldon', ['s1.png']);
    const gone = await getPool().query(
      `INSERT INTO "Image" ("identityId", path, "contentHash", size, status, "updatedAt") VALUES ($1, 'leonard/old.png', 'h', 1, 'gone', now()) RETURNING id`,
      [leonard.id],
    );
    await getPool().query(
      `INSERT INTO "Outlier" ("imageId", "identityId", score, "nearestIdentityId", "nearestSimilarity", flagged, "subjectKey")
       VALUES ($1, $2, 0.02, $3, 0.88, true, 'k')`,
      [leonard.images['sheldon5.png'], leonard.id, sheldon.id],
    );

    const full = await getIdentity({ name: 'leonard' });
    expect(full).toMatchObject({ id: leonard.id, name: 'leonard', imageCount: 3, flaggedOutliers: 1, gone: false });
    expect(full.images.map((image) => image.path)).toEqual(['leonard/l1.png', 'leonard/l2.png', 'leonard/sheldon5.png']);
    expect(full.images.map((image) => image.id)).not.toContain(gone.rows[0].id);
    expect(full.images[2].outlier).toMatchObject({ score: 0.02, flagged: true, status: 'open', nearestIdentity: 'sheldon' });
    expect(full.images[0].outlier).toBeNull();

    expect((await getIdentity({ id: leonard.id }, 2)).images).toHaveLength(2);
    await expect(getIdentity({ name: 'nobody' })).rejects.toMatchObject({ status: 404 });
  });

  it('finds people by the start of their folder name, any case, with % and _ taken literally', async () => {
    for (const name of ['Amy', 'amelia', 'bob', 'a_b', 'axb', '100%', '1000']) await person(name, []);
    const names = async (prefix: string) => (await identitiesRepository.search(prefix, 20)).map((p) => p.name).sort();
    expect(await names('am')).toEqual(['Amy', 'amelia']);
    expect(await names('a_')).toEqual(['a_b']);
    expect(await names('100%')).toEqual(['100%']);
    expect(await identitiesRepository.search('', 2)).toHaveLength(2);
  });

  it("shows the strongest pairs between two people, most similar first, each with the left person's image on the left", async () => {
    const amy = await person('amy', ['a1.png', 'a2.png']);
    const penny = await person('penny', ['p1.png']);
    const raj = await person('raj', ['r1.png']);
    await pair(amy.images['a1.png'], penny.images['p1.png'], amy.id, penny.id, 0.6);
    // stored the other way round, as a path order may put penny's image first
    await pair(penny.images['p1.png'], amy.images['a2.png'], penny.id, amy.id, 0.9);
    await pair(amy.images['a1.png'], raj.images['r1.png'], amy.id, raj.id, 0.95);

    const strongest = await identitiesRepository.strongestPairs(amy.id, penny.id, 8);
    expect(strongest.map((p) => [p.similarity, p.a.path, p.b.path])).toEqual([
      [0.9, 'amy/a2.png', 'penny/p1.png'],
      [0.6, 'amy/a1.png', 'penny/p1.png'],
    ]);
    expect(await identitiesRepository.strongestPairs(amy.id, penny.id, 1)).toHaveLength(1);
  });

  it('samples a few readable images of each named person', async () => {
    await person('amy', ['a3.png', 'a1.png', 'a2.png']);
    await person('raj', ['r1.png'], 'no_face');
    const samples = await identitiesRepository.samples(['amy', 'raj', 'amy', 'nobody'], 2);
    expect(samples.get('amy')?.map((thumb) => thumb.path)).toEqual(['amy/a1.png', 'amy/a2.png']);
    expect(samples.has('raj')).toBe(false);
  });
});
