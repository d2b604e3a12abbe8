import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { prepareDemoDataset } from '@/lib/cli/commands/demo';
import { getPool } from '@/lib/db';
import type { AppError } from '@/lib/errors';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { jobsRepository } from '@/lib/repositories/jobs';
import { listIdentityPairsSchema, listOutliersSchema, listPairsSchema } from '@/lib/schemas/candidates';
import { decideIdentityPair, decideOutlier, decidePair, getPair } from '@/lib/services/decisions';
import { exportFixList } from '@/lib/services/export-fix-list';
import { JobProgress } from '@/lib/services/job-progress';
import { runScanInline } from '@/lib/services/jobs';
import { previewVerdict, reviewNext } from '@/lib/services/review';
import { runSearch } from '@/lib/services/search';
import { addUser } from '@/lib/services/users';
import { resetDatabase } from '../support/reset';

const quiet = () => {};

beforeEach(resetDatabase);

/** The demo's sample: amy3 filed under penny, raj split over raj and "raj koothrappali", a copy of sheldon1. */
async function demo() {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-review-')), 'dataset');
  prepareDemoDataset(root);
  await runScanInline({ root, force: false, search: false }, quiet, quiet);
  await search();
  const { user } = await addUser({ name: 'alice', role: 'curator', password: 'alice-password' });
  return { id: user.id, name: user.name, role: user.role };
}

async function search() {
  const job = await jobsRepository.create('search', {}, null);
  await runSearch({ threshold: 0.3 }, new JobProgress(job.id), quiet);
}

const pairsOf = async (person: string) => (await candidatesRepository.listPairs(listPairsSchema.parse({ identity: person, limit: 500 }))).items;
const rajPairs = async () => (await pairsOf('raj koothrappali')).filter((p) => [p.a.identity, p.b.identity].sort().join('|') === 'raj|raj koothrappali');
const rajSplit = async () =>
  (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({ identity: 'raj koothrappali' }))).items.find(
    (ip) => ip.a === 'raj' && ip.b === 'raj koothrappali',
  )!;

describe('a verdict resolves what it explains', () => {
  it('says before the verdict how many pairs "same person" resolves, resolves them naming the verdict, exports one merge, and undoes them with it', async () => {
    const alice = await demo();
    const split = await rajSplit();
    const between = await rajPairs();
    expect(between.length).toBeGreaterThan(1);
    expect(await previewVerdict(alice, 'identity_pair', split.id, { verdict: 'same' })).toEqual({
      resolves: { pairs: between.length, identityPairs: 0, outliers: 0 },
      summary: `and ${between.length} pairs between raj and raj koothrappali`,
    });

    const same = await decideIdentityPair(alice, split.id, { verdict: 'same' });
    for (const pair of await rajPairs()) expect(pair.status).toBe('mislabeled');
    const shown = await getPair(between[0].id);
    expect(shown.decisions).toEqual([]);
    expect(shown.resolvedBy).toMatchObject({
      verdict: 'mislabeled',
      reason: 'resolved by alice: raj and raj koothrappali are the same person',
      decision: { id: same.id },
    });
    const fixList = JSON.parse(await exportFixList('json'));
    expect(fixList.actions.filter((a: { action: string }) => a.action === 'merge')).toHaveLength(1);
    expect(fixList.actions.every((a: { action: string }) => a.action === 'merge')).toBe(true);

    await decideIdentityPair(alice, split.id, { verdict: 'open', basedOn: same.id });
    for (const pair of await rajPairs()) expect(pair.status).toBe('open');
    expect((await getPair(between[0].id)).resolvedBy).toBeNull();
  });

  it('keeps what a verdict resolved across a rescan, for the candidates found again', async () => {
    const alice = await demo();
    await decideIdentityPair(alice, (await rajSplit()).id, { verdict: 'same' });
    await search();
    const again = await rajPairs();
    expect(again.length).toBeGreaterThan(1);
    for (const pair of again) expect(pair.status).toBe('mislabeled');
    expect((await getPair(again[0].id)).resolvedBy?.reason).toBe('resolved by alice: raj and raj koothrappali are the same person');
    const { rows } = await getPool().query(`SELECT status, sum(delta)::int AS n FROM "PairStatusCount" GROUP BY status HAVING sum(delta) <> 0 ORDER BY status`);
    const counted = await getPool().query(`SELECT status, count(*)::int AS n FROM "CandidatePair" GROUP BY status ORDER BY status`);
    expect(rows).toEqual(counted.rows);
  });

  it('answers 409 with the verdict it contradicts to "fine" on a pair whose image was moved', async () => {
    const alice = await demo();
    const amy3 = (await candidatesRepository.listOutliers(listOutliersSchema.parse({ identity: 'penny', kind: 'all' }))).items.find(
      (o) => o.path === 'penny/amy3.png',
    )!;
    const moved = await decideOutlier(alice, amy3.id, { verdict: 'mislabeled', toIdentity: 'amy' });
    const withAmy = (await pairsOf('amy')).find((p) => p.b.path === 'penny/amy3.png' || p.a.path === 'penny/amy3.png')!;
    expect(withAmy.status).toBe('mislabeled');
    const refused = await decidePair(alice, withAmy.id, { verdict: 'fine' }).catch((error: AppError) => error);
    expect(refused).toMatchObject({
      status: 409,
      body: { current: { id: moved.id, verdict: 'mislabeled', toIdentity: 'amy' }, derived: { verdict: 'mislabeled' } },
    });
    expect((await getPair(withAmy.id)).decisions).toEqual([]);
  });

  it('serves each planted mistake as the item its own list returns, then nothing once they are fixed', async () => {
    const alice = await demo();
    const seen: string[] = [];
    for (let step = 0; step < 12; step++) {
      const next = await reviewNext();
      if (next.type === null) break;
      if (next.type === 'pair') {
        expect((await pairsOf(next.item.a.identity)).find((p) => p.id === next.item.id)).toEqual(next.item);
        const copy = next.item.a.path === 'sheldon/sheldon1 copy.png' ? 'a' : 'b';
        seen.push(`duplicate ${next.item.a.path} ${next.item.b.path}`);
        await decidePair(alice, next.item.id, { verdict: 'duplicate', keep: copy === 'a' ? 'b' : 'a' });
      } else if (next.type === 'identity_pair') {
        const listed = await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({ identity: next.item.a, status: 'all', limit: 500 }));
        expect(listed.items.find((ip) => ip.id === next.item.id)).toEqual(next.item);
        seen.push(`${next.finding.kind} ${next.item.a} ${next.item.b}`);
        await decideIdentityPair(alice, next.item.id, { verdict: next.item.b === 'raj koothrappali' && next.item.a === 'raj' ? 'same' : 'different' });
      } else {
        expect(
          (await candidatesRepository.listOutliers(listOutliersSchema.parse({ identity: next.item.identity, kind: 'all', limit: 500 }))).items.find(
            (o) => o.id === next.item.id,
          ),
        ).toEqual(next.item);
        seen.push(`${next.finding.kind} ${next.item.path} ${next.finding.detail.belongsTo}`);
        await decideOutlier(alice, next.item.id, next.item.path === 'penny/amy3.png' ? { verdict: 'mislabeled', toIdentity: 'amy' } : { verdict: 'fine' });
      }
    }
    expect(seen).toEqual(
      expect.arrayContaining(['split raj raj koothrappali', 'duplicate sheldon/sheldon1 copy.png sheldon/sheldon1.png', 'misfiled penny/amy3.png amy']),
    );
    expect((await reviewNext()).type).toBeNull();
    expect(
      (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'open', limit: 500 }))).items.filter(
        (p) => p.a.path === 'penny/amy3.png' || p.b.path === 'penny/amy3.png',
      ),
    ).toEqual([]);
  });

  it('passes over a finding whose candidate was decided before its findings were rebuilt, to the one after it', async () => {
    await demo();
    const first = await reviewNext();
    expect(first.type).not.toBeNull();
    expect(first.upcoming).not.toBeNull();
    const table = { pair: '"CandidatePair"', identity_pair: '"IdentityPair"', outlier: '"Outlier"' }[first.type!];
    await getPool().query(`UPDATE ${table} SET status = 'fine' WHERE id = $1`, [first.item!.id]);
    const next = await reviewNext();
    expect({ type: next.type, item: next.item, finding: next.finding }).toEqual(first.upcoming);
  });
});
