import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { jobsRepository } from '@/lib/repositories/jobs';
import { listIdentityPairsSchema, listOutliersSchema, listPairsSchema } from '@/lib/schemas/candidates';
import { decideIdentityPair, decideOutlier, decidePair, getIdentityPair, getPair } from '@/lib/services/decisions';
import { exportFixList } from '@/lib/services/export-fix-list';
import { JobProgress } from '@/lib/services/job-progress';
import { runScanInline } from '@/lib/services/jobs';
import { runSearch } from '@/lib/services/search';
import { addUser } from '@/lib/services/users';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const quiet = () => {};
const MISFILED = `amy's "3" $HOME.png`;

beforeEach(resetDatabase);

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

/** The sample with amy3 misfiled under penny (with an awkward name), raj split, and a duplicate. */
async function reviewedDataset() {
  const root = copySample();
  fs.renameSync(path.join(root, 'amy', 'amy3.png'), path.join(root, 'penny', MISFILED));
  fs.mkdirSync(path.join(root, 'raj 2'));
  for (const name of ['raj4.png', 'raj5.png']) fs.renameSync(path.join(root, 'raj', name), path.join(root, 'raj 2', name));
  fs.copyFileSync(path.join(root, 'sheldon', 'sheldon1.png'), path.join(root, 'sheldon', 'sheldon1 copy.png'));
  await runScanInline({ root, force: false, search: false }, quiet, quiet);
  const job = await jobsRepository.create('search', {}, null);
  await runSearch({ threshold: 0.3 }, new JobProgress(job.id), quiet);

  const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
  const pairs = (await candidatesRepository.listPairs(listPairsSchema.parse({ limit: 500 }))).items;
  const misfiled = pairs.find((p) => p.kind === 'cross_identity' && p.b.path === `penny/${MISFILED}`)!;
  await decidePair(user, misfiled.id, { verdict: 'mislabeled', side: 'b' });
  const duplicate = pairs.find((p) => p.kind === 'near_duplicate')!;
  expect(duplicate).toMatchObject({ a: { path: 'sheldon/sheldon1 copy.png' }, b: { path: 'sheldon/sheldon1.png' } });
  await decidePair(user, duplicate.id, { verdict: 'duplicate', keep: 'b' });
  const [merge] = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({}))).items;
  expect(merge).toMatchObject({ a: 'raj', b: 'raj 2' });
  await decideIdentityPair(user, merge.id, { verdict: 'same', into: 'a' });
  return root;
}

describe('exporting the fix list', () => {
  it('lists the decided move, deletion and merge as JSON, merges last', async () => {
    const root = await reviewedDataset();
    const fixList = JSON.parse(await exportFixList('json'));
    expect(fixList.datasetRoot).toBe(fs.realpathSync(root));
    expect(fixList.conflicts).toEqual([]);
    expect(fixList.actions.map((a: { action: string }) => a.action)).toEqual(['move', 'delete', 'merge']);
    expect(fixList.actions[0]).toMatchObject({ action: 'move', path: `penny/${MISFILED}`, fromIdentity: 'penny', toIdentity: 'amy', decidedBy: 'cora' });
    expect(fixList.actions[1]).toMatchObject({ action: 'delete', path: 'sheldon/sheldon1 copy.png', duplicateOf: 'sheldon/sheldon1.png' });
    expect(fixList.actions[2]).toMatchObject({ action: 'merge', fromIdentity: 'raj 2', intoIdentity: 'raj' });
  });

  it.each([
    ['a hard link to', (target: string, link: string) => fs.linkSync(target, link), /sheldon1 copy\.png and sheldon\/sheldon1\.png are one file on disk/],
    ['a symbolic link to', (target: string, link: string) => fs.symlinkSync(path.basename(target), link), /sheldon1 copy\.png is a symbolic link/],
  ])('makes no delete of a duplicate that has become %s the copy kept, and says why', async (_label, makeLink, reason) => {
    const root = await reviewedDataset();
    const copy = path.join(root, 'sheldon', 'sheldon1 copy.png');
    fs.rmSync(copy);
    makeLink(path.join(root, 'sheldon', 'sheldon1.png'), copy);
    const fixList = JSON.parse(await exportFixList('json'));
    expect(fixList.actions.map((a: { action: string }) => a.action)).toEqual(['move', 'merge']);
    expect(fixList.conflicts).toEqual([
      expect.objectContaining({ kind: 'invalid', subjects: ['sheldon/sheldon1 copy.png'], reason: expect.stringMatching(reason) }),
    ]);
  });

  it('writes the same actions as CSV with a header, quoting awkward names', async () => {
    await reviewedDataset();
    const csv = await exportFixList('csv');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^action,path,fromIdentity,toIdentity/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toContain(`"penny/amy's ""3"" $HOME.png"`);
  });

  it('lists the open cross pairs as the headerless pair CSV, without the decided one', async () => {
    await reviewedDataset();
    // the move and the merge resolved the pairs they explain: undone, those are open again, and one
    // pair of the misfiled image is judged on its own, explaining nothing else
    const { user } = await addUser({ name: 'dana', role: 'curator', password: 'danapass1' });
    const [merge] = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({}))).items;
    await decideIdentityPair(user, merge.id, { verdict: 'open', basedOn: (await getIdentityPair(merge.id)).decisions[0].id });
    const moved = (await candidatesRepository.listPairs(listPairsSchema.parse({ kind: 'cross_identity', status: 'mislabeled', limit: 500 }))).items;
    const own = await Promise.all(moved.map((p) => getPair(p.id)));
    const decidedPair = own.find((p) => p.decisions.length > 0)!;
    const reopened = await decidePair(user, decidedPair.id, { verdict: 'open', basedOn: decidedPair.decisions[0].id });
    await decidePair(user, decidedPair.id, { verdict: 'fine', basedOn: reopened.id });
    const lines = (await exportFixList('seed-csv')).trimEnd().split('\n');
    const pairs = (await candidatesRepository.listPairs(listPairsSchema.parse({ kind: 'cross_identity', limit: 500 }))).items;
    const decided = pairs.find((p) => p.status === 'fine')!;
    expect(lines).toHaveLength(pairs.length - 1);
    for (const line of lines) expect(line).toMatch(/^[^/]+,[^/]+,0\.\d{6}$/);
    expect(lines.some((line) => line.startsWith(`${decided.a.path.split('/')[1]},"${MISFILED.replaceAll('"', '""')}"`))).toBe(false);
    expect(lines.some((line) => line.includes('$HOME'))).toBe(true);
    const similarities = lines.map((line) => Number(line.split(',').pop()));
    expect([...similarities].sort((x, y) => y - x)).toEqual(similarities);
  });

  it('produces a shell script that turns a copy of the dataset into exactly the intended tree', async () => {
    const root = await reviewedDataset();
    const before = tree(root);
    const script = path.join(os.tmpdir(), `fix-${Date.now()}.sh`);
    fs.writeFileSync(script, await exportFixList('sh'));
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-apply-'));
    fs.cpSync(root, copy, { recursive: true });

    execFileSync('sh', [script, copy], { env: { ...process.env, FACESIFT_APPLY_DELETES: '' }, stdio: 'pipe' });
    expect(tree(copy)).toContain('sheldon/sheldon1 copy.png');

    execFileSync('sh', [script, copy], { env: { ...process.env, FACESIFT_APPLY_DELETES: '1' }, stdio: 'pipe' });
    const expected = before
      .filter((p) => p !== 'sheldon/sheldon1 copy.png')
      .map((p) => (p === `penny/${MISFILED}` ? `amy/${MISFILED}` : p.replace(/^raj 2\//, 'raj/')))
      .sort();
    expect(tree(copy)).toEqual(expected);
    expect(fs.existsSync(path.join(copy, 'raj 2'))).toBe(false);
    expect(tree(root)).toEqual(before);
  });

  it('sends an image judged someone else with no known person to its folder’s not_me', async () => {
    await reviewedDataset();
    const { user } = await addUser({ name: 'dan', role: 'curator', password: 'danpass12' });
    const [outlier] = (await candidatesRepository.listOutliers(listOutliersSchema.parse({ kind: 'all', identity: 'amy' }))).items;
    await decideOutlier(user, outlier.id, { verdict: 'mislabeled' });
    const fixList = JSON.parse(await exportFixList('json'));
    expect(fixList.actions).toContainEqual(
      expect.objectContaining({ action: 'move', path: outlier.path, fromIdentity: 'amy', toIdentity: null, toFolder: 'amy/not_me' }),
    );
  });
});
