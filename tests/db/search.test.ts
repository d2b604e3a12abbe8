import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { jobsRepository } from '@/lib/repositories/jobs';
import { listIdentityPairsSchema, listOutliersSchema, listPairsSchema } from '@/lib/schemas/candidates';
import { decideIdentityPair, decideOutlier, decidePair, getPair } from '@/lib/services/decisions';
import { JobProgress } from '@/lib/services/job-progress';
import { runScanInline } from '@/lib/services/jobs';
import { runSearch } from '@/lib/services/search';
import { addUser } from '@/lib/services/users';
import { copySample, flawedSample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const quiet = () => {};

beforeEach(resetDatabase);

async function scanAndSearch(root: string, params: { threshold?: number; maxPairs?: number } = { threshold: 0.3 }) {
  await runScanInline({ root, force: false, search: false }, quiet, quiet);
  return search(params);
}

async function search(params: { threshold?: number; maxPairs?: number } = { threshold: 0.3 }) {
  const job = await jobsRepository.create('search', {}, null);
  return runSearch(params, new JobProgress(job.id), quiet);
}

const allPairs = async (status: 'open' | 'all' = 'all') => (await candidatesRepository.listPairs(listPairsSchema.parse({ status, limit: 500 }))).items;

describe('search on the sample with a misfiled image and a split person', () => {
  it('makes the moved image the top outlier of its folder, pointing at its real person', async () => {
    await scanAndSearch(flawedSample());
    const { items } = await candidatesRepository.listOutliers(listOutliersSchema.parse({ kind: 'all', identity: 'penny' }));
    expect(items[0]).toMatchObject({ path: 'penny/amy3.png', nearestIdentity: 'amy', flagged: true });
    const flagged = (await candidatesRepository.listOutliers(listOutliersSchema.parse({}))).items;
    expect(flagged[0].path).toBe('penny/amy3.png');
  });

  it('lists the moved image in cross-identity pairs with its real folder', async () => {
    await scanAndSearch(flawedSample());
    const pairs = await allPairs();
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.some((p) => p.kind === 'cross_identity' && p.b.path === 'penny/amy3.png' && p.a.identity === 'amy')).toBe(true);
    for (const pair of pairs) expect(Buffer.compare(Buffer.from(pair.a.path), Buffer.from(pair.b.path))).toBeLessThan(0);
  });

  it('filters pairs and merge suggestions by a person on either side, and finds nothing for an unknown one', async () => {
    await scanAndSearch(flawedSample());
    const everything = await allPairs();
    const raj = (await candidatesRepository.listPairs(listPairsSchema.parse({ identity: 'raj_2', limit: 500 }))).items;
    expect(raj.length).toBeGreaterThan(0);
    expect(raj).toEqual(everything.filter((pair) => pair.a.identity === 'raj_2' || pair.b.identity === 'raj_2'));
    const merges = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({ identity: 'raj_2' }))).items;
    expect(merges.map((m) => [m.a, m.b])).toContainEqual(['raj', 'raj_2']);
    expect(merges.every((m) => m.a === 'raj_2' || m.b === 'raj_2')).toBe(true);
    expect((await candidatesRepository.listPairs(listPairsSchema.parse({ identity: 'nobody' }))).items).toEqual([]);
  });

  it('makes the split person the top merge suggestion', async () => {
    await scanAndSearch(flawedSample());
    const { items } = await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({}));
    expect(items[0]).toMatchObject({ a: 'raj', b: 'raj_2' });
    expect(items[0].pairCount).toBeGreaterThan(0);
  });

  it('finds nothing wrong in the clean sample at the default threshold', async () => {
    const summary = await scanAndSearch(copySample(), {});
    expect(summary).toMatchObject({ threshold: 0.4, crossIdentityPairs: 0, nearDuplicates: 0, identityPairs: 0, flaggedOutliers: 0 });
  });
});

describe('listing pairs', () => {
  async function pageThrough(query: Record<string, unknown>) {
    const ids: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await candidatesRepository.listPairs(listPairsSchema.parse({ ...query, limit: 3, cursor }));
      ids.push(...page.items.map((pair) => pair.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }

  it('pages through open and decided pairs together in similarity order, either way round', async () => {
    await scanAndSearch(flawedSample());
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const first = await allPairs();
    for (const pair of [first[0], first[2], first[first.length - 1]]) await decidePair(user, pair.id, { verdict: 'fine' });
    const { rows } = await getPool().query<{ id: number }>(`SELECT id FROM "CandidatePair" ORDER BY similarity DESC, id DESC`);
    const descending = rows.map((row) => row.id);
    expect(descending.length).toBeGreaterThan(6);

    expect(await pageThrough({ status: 'all' })).toEqual(descending);
    expect(await pageThrough({ status: 'all', sort: '-similarity' })).toEqual([...descending].reverse());
    const decided = await pageThrough({ status: 'decided' });
    expect(decided).toEqual(descending.filter((id) => [first[0].id, first[2].id, first[first.length - 1].id].includes(id)));
    expect(await pageThrough({ status: 'open' })).toEqual(descending.filter((id) => !decided.includes(id)));
  });
});

describe('deciding', () => {
  it('names the images and folders of each verdict from the decided row, and refuses what cannot be', async () => {
    const root = flawedSample();
    fs.copyFileSync(path.join(root, 'amy', 'amy1.png'), path.join(root, 'amy', 'amy1-copy.png'));
    await scanAndSearch(root);
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const pairs = await allPairs();
    const cross = pairs.find((p) => p.b.path === 'penny/amy3.png')!;
    expect(await decidePair(user, cross.id, { verdict: 'mislabeled', side: 'b' })).toMatchObject({
      misfiledHash: cross.b.hash,
      fromIdentity: 'penny',
      toIdentity: 'amy',
    });
    const copies = pairs.find((p) => p.a.identity === 'amy' && p.b.identity === 'amy')!;
    await expect(decidePair(user, copies.id, { verdict: 'mislabeled', side: 'a' })).rejects.toMatchObject({ status: 400, message: /same folder/ });
    await expect(decidePair(user, copies.id, { verdict: 'mislabeled', side: 'merge' })).rejects.toMatchObject({ status: 400, message: /nothing to merge/ });
    expect(await decidePair(user, copies.id, { verdict: 'duplicate', keep: 'b' })).toMatchObject({ keepHash: copies.b.hash, dropHash: copies.a.hash });
    await expect(decidePair(user, 999_999, { verdict: 'fine' })).rejects.toMatchObject({ status: 404, message: 'no pair 999999' });

    const [merge] = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({}))).items;
    expect(await decideIdentityPair(user, merge.id, { verdict: 'same', into: 'b' })).toMatchObject({
      fromIdentity: 'raj',
      toIdentity: 'raj_2',
      intoIdentity: 'raj_2',
    });
    await expect(decideIdentityPair(user, 999_999, { verdict: 'different' })).rejects.toMatchObject({ status: 404 });

    const [outlier] = (await candidatesRepository.listOutliers(listOutliersSchema.parse({ identity: 'penny' }))).items;
    await expect(decideOutlier(user, outlier.id, { verdict: 'mislabeled', toIdentity: 'penny' })).rejects.toMatchObject({ status: 400, message: /already in/ });
    await expect(decideOutlier(user, outlier.id, { verdict: 'mislabeled', toIdentity: 'nobody' })).rejects.toMatchObject({
      status: 400,
      message: /no person folder/,
    });
    expect(await decideOutlier(user, outlier.id, { verdict: 'mislabeled', toIdentity: 'amy' })).toMatchObject({
      misfiledHash: cross.b.hash,
      fromIdentity: 'penny',
      toIdentity: 'amy',
    });
    const marked = (await candidatesRepository.listOutliers(listOutliersSchema.parse({ identity: 'penny', kind: 'all' }))).items;
    expect(marked.filter((o) => o.status !== 'open').map((o) => [o.id, o.status])).toEqual([[outlier.id, 'mislabeled']]);
    await expect(decideOutlier(user, 999_999, { verdict: 'fine' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('decisions across reruns', () => {
  it('keeps a verdict when the pair is found again by a rerun, even after a rename', async () => {
    const root = flawedSample();
    await scanAndSearch(root);
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const target = (await allPairs()).find((p) => p.b.path === 'penny/amy3.png')!;
    const decision = await decidePair(user, target.id, { verdict: 'mislabeled', side: 'b' });
    expect(decision).toMatchObject({ verdict: 'mislabeled', fromIdentity: 'penny', toIdentity: 'amy', decidedBy: 'cora' });

    fs.renameSync(path.join(root, 'penny', 'amy3.png'), path.join(root, 'penny', 'zz-renamed.png'));
    await scanAndSearch(root);
    const again = (await allPairs()).find((p) => p.a.path === target.a.path && p.b.path === 'penny/zz-renamed.png')!;
    expect(again.status).toBe('mislabeled');
    const detail = await getPair(again.id);
    expect(detail.decisions.map((d) => d.id)).toEqual([decision.id]);
  });

  it('reopens a pair whose image changed', async () => {
    const root = flawedSample();
    await scanAndSearch(root);
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const target = (await allPairs()).find((p) => p.b.path === 'penny/amy3.png')!;
    await decidePair(user, target.id, { verdict: 'fine' });
    const file = path.join(root, 'penny', 'amy3.png');
    const sharp = (await import('sharp')).default;
    fs.writeFileSync(file, await sharp(fs.readFileSync(file)).modulate({ brightness: 1.05 }).png().toBuffer());
    await scanAndSearch(root);
    const again = (await allPairs()).find((p) => p.a.path === target.a.path && p.b.path === 'penny/amy3.png')!;
    expect(again.status).toBe('open');
  });

  it('keeps a merge verdict on the person pair across reruns', async () => {
    await scanAndSearch(flawedSample());
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const [top] = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({}))).items;
    await decideIdentityPair(user, top.id, { verdict: 'same', into: 'a' });
    await search();
    const [again] = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({}))).items;
    expect(again).toMatchObject({ a: 'raj', b: 'raj_2', status: 'same' });
  });

  it('refuses a decision based on an outdated one', async () => {
    await scanAndSearch(flawedSample());
    const { user: first } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const { user: second } = await addUser({ name: 'dan', role: 'curator', password: 'danpass12' });
    const [pair] = await allPairs();
    const d1 = await decidePair(first, pair.id, { verdict: 'fine' });
    await expect(decidePair(second, pair.id, { verdict: 'mislabeled', side: 'a' })).rejects.toMatchObject({ status: 409 });
    const d2 = await decidePair(second, pair.id, { verdict: 'mislabeled', side: 'a', basedOn: d1.id });
    expect(d2.previousVerdict).toBe('fine');
    await expect(decidePair(first, pair.id, { verdict: 'open', basedOn: d1.id })).rejects.toThrow(/dan decided this as "mislabeled"/);
  });

  it('lets exactly one of two curators deciding the same pair at the same moment win', async () => {
    await scanAndSearch(flawedSample());
    const { user: first } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const { user: second } = await addUser({ name: 'dan', role: 'curator', password: 'danpass12' });
    const [pair] = await allPairs();
    for (let round = 0; round < 5; round++) {
      const basedOn = (await getPair(pair.id)).decisions[0]?.id;
      const results = await Promise.allSettled([
        decidePair(first, pair.id, { verdict: 'fine', basedOn }),
        decidePair(second, pair.id, { verdict: 'duplicate', keep: 'a', basedOn }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost[0].reason).toMatchObject({ status: 409, body: { current: { id: (won[0] as PromiseFulfilledResult<{ id: number }>).value.id } } });
    }
    expect((await getPair(pair.id)).decisions).toHaveLength(5);
  });

  it('keeps the counts per status equal to the pairs, through decisions, undo and a rerun', async () => {
    await scanAndSearch(flawedSample());
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const counted = async () => {
      const { rows } = await getPool().query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM "CandidatePair" GROUP BY status`);
      return Object.fromEntries(rows.map((row) => [row.status, row.n]));
    };
    expect(await candidatesRepository.pairStatusCounts()).toEqual(await counted());
    const [p1, p2] = await allPairs();
    const d1 = await decidePair(user, p1.id, { verdict: 'fine' });
    await decidePair(user, p2.id, { verdict: 'mislabeled', side: 'a' });
    const d3 = await decidePair(user, p1.id, { verdict: 'duplicate', keep: 'b', basedOn: d1.id });
    expect(await candidatesRepository.pairStatusCounts()).toEqual(await counted());
    await decidePair(user, p1.id, { verdict: 'open', basedOn: d3.id });
    expect(await candidatesRepository.pairStatusCounts()).toMatchObject({ mislabeled: 1 });
    expect(await candidatesRepository.pairStatusCounts()).toEqual(await counted());
    await search();
    expect(await candidatesRepository.pairStatusCounts()).toEqual(await counted());
  });

  it('folds a long status ledger back into one row per status, keeping the counts', async () => {
    await scanAndSearch(flawedSample());
    const before = await candidatesRepository.pairStatusCounts();
    // what 1,500 decisions moving a pair from open to fine and back would have appended
    await getPool().query(
      `INSERT INTO "PairStatusCount" (status, delta) SELECT s, d FROM generate_series(1, 1500), (VALUES ('open', -1), ('fine', 1), ('fine', -1), ('open', 1)) v(s, d)`,
    );
    expect(await candidatesRepository.pairStatusCounts()).toEqual(before);
    const { rows } = await getPool().query<{ entries: number }>(`SELECT count(*)::int AS entries FROM "PairStatusCount"`);
    expect(rows[0].entries).toBe(Object.keys(before).length);
    expect(await candidatesRepository.pairStatusCounts()).toEqual(before);
  });
});

describe('guard rails', () => {
  it('stops a search that would write too many pairs, saying how many and which threshold fits', async () => {
    await runScanInline({ root: flawedSample(), force: false, search: false }, quiet, quiet);
    await expect(search({ threshold: -1, maxPairs: 50 })).rejects.toThrow(
      /yields [\d,]+ pairs, more than the limit of 50; use a threshold of -?\d\.\d\d \([\d,]+ pairs\)/,
    );
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM "CandidatePair"`);
    expect(rows[0].n).toBe(0);
  });

  it('pairs images of identical content once each, whatever their cosine, when they fall in different tiles', async () => {
    await runScanInline({ root: copySample(), force: false, search: false }, quiet, quiet);
    // three images of three people, so far apart that no threshold pairs them, made one content
    const { rows: picked } = await getPool().query<{ id: number }>(`SELECT DISTINCT ON ("identityId") id FROM "Image" ORDER BY "identityId", id LIMIT 3`);
    const ids = picked.map((row) => row.id);
    await getPool().query(`UPDATE "Image" SET "contentHash" = 'same-bytes' WHERE id = ANY($1)`, [ids]);
    const expected = [
      [ids[0], ids[1]],
      [ids[0], ids[2]],
      [ids[1], ids[2]],
    ];
    for (const tileRows of [1, 1_000]) {
      const job = await jobsRepository.create('search', {}, null);
      await runSearch({ threshold: 0.99, duplicateThreshold: 0.999, tileRows }, new JobProgress(job.id), quiet);
      const { rows } = await getPool().query<{ a: number; b: number }>(
        `SELECT LEAST("imageAId", "imageBId") AS a, GREATEST("imageAId", "imageBId") AS b FROM "CandidatePair" WHERE kind = 'near_duplicate' AND "imageAId" = ANY($1) ORDER BY 1, 2`,
        [ids],
      );
      expect(rows.map(({ a, b }) => [a, b])).toEqual(expected);
    }
  });

  it('is fine with an empty dataset, one person, and a person with one image', async () => {
    const root = copySample();
    for (const person of fs.readdirSync(root)) fs.rmSync(path.join(root, person), { recursive: true });
    expect(await scanAndSearch(root)).toMatchObject({ images: 0, crossIdentityPairs: 0 });
    await resetDatabase();
    const one = copySample();
    for (const person of fs.readdirSync(one).filter((p) => p !== 'amy')) fs.rmSync(path.join(one, person), { recursive: true });
    expect(await scanAndSearch(one)).toMatchObject({ images: 5, identities: 1, crossIdentityPairs: 0 });
    await resetDatabase();
    const single = copySample();
    for (const name of ['amy2.png', 'amy3.png', 'amy4.png', 'amy5.png']) fs.rmSync(path.join(single, 'amy', name));
    expect(await scanAndSearch(single)).toMatchObject({ images: 36, identities: 8 });
  });
});
