import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { getPool } from '@/lib/db';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { decisionsRepository } from '@/lib/repositories/decisions';
import { jobsRepository } from '@/lib/repositories/jobs';
import { listPairsSchema } from '@/lib/schemas/candidates';
import { decidePair, reviewProgress } from '@/lib/services/decisions';
import { JobProgress } from '@/lib/services/job-progress';
import { runScanInline } from '@/lib/services/jobs';
import { runSearch } from '@/lib/services/search';
import { addUser } from '@/lib/services/users';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

beforeEach(resetDatabase);

const quiet = () => {};
/** progress is the API's answer: times as ISO strings, as JSON carries them */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function search() {
  const job = await jobsRepository.create('search', {}, null);
  return runSearch({ threshold: 0.3 }, new JobProgress(job.id), quiet);
}

/** Two people with `count` images each and a cross pair between their k-th images, as a search would leave them. */
async function crossPairs(count: number): Promise<number[]> {
  const pool = getPool();
  await pool.query(`INSERT INTO "Identity" (id, name) VALUES (1, 'amy'), (2, 'penny')`);
  await pool.query(`
    INSERT INTO "Image" (id, "identityId", path, "contentHash", size, status, width, height, "embeddedAt", "updatedAt")
    SELECT g, 1 + g % 2, CASE g % 2 WHEN 0 THEN 'amy/' ELSE 'penny/' END || g || '.png', 'hash-' || g, 100, 'ok', 112, 112, now(), now()
      FROM generate_series(1, ${2 * count}) g`);
  const { rows } = await pool.query<{ id: number }>(`
    INSERT INTO "CandidatePair" (kind, "imageAId", "imageBId", "identityAId", "identityBId", similarity, "pairKey", status)
    SELECT 'cross_identity', 2 * k, 2 * k - 1, 1, 2, 0.8, 'key-' || k, 'open' FROM generate_series(1, ${count}) k RETURNING id`);
  await candidatesRepository.recountPairStatuses();
  return rows.map((row) => row.id);
}

const onePair = async () => (await crossPairs(1))[0];

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('decisions', () => {
  it('reads no earlier decision when deciding, even in a plan its connection made while there were none', async () => {
    const pairId = await onePair();
    const { user } = await addUser({ name: 'amy', role: 'curator', password: 'long-enough-password' });
    const pool = getPool();
    await pool.query('ANALYZE "Decision"');
    const query = vi.spyOn(pool, 'query');
    await decidePair(user, pairId, { verdict: 'fine' });
    const [[statement, values]] = query.mock.calls as unknown as [[{ text: string }, unknown[]]];
    query.mockRestore();

    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // the plan a pooled connection keeps once it stops planning the statement afresh
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE decide AS ${statement.text}`);
      const literal = (value: unknown) => (value === null ? 'NULL' : typeof value === 'number' ? String(value) : client.escapeLiteral(String(value)));
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) EXECUTE decide(${values.map(literal).join(', ')})`);
      const onDecisions = nodesOf(rows[0]['QUERY PLAN'][0].Plan).filter((node) => node['Relation Name'] === 'Decision');
      expect(onDecisions.map((node) => node['Node Type'])).toEqual(['ModifyTable']);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('bases the next decision on an undo made before a search found the pair again', async () => {
    const root = copySample();
    fs.renameSync(path.join(root, 'amy', 'amy3.png'), path.join(root, 'penny', 'amy3.png'));
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    await search();
    const { user } = await addUser({ name: 'amy', role: 'curator', password: 'long-enough-password' });
    const [pair] = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'open', limit: 1 }))).items;
    const first = await decidePair(user, pair.id, { verdict: 'fine' });
    const undo = await decidePair(user, pair.id, { verdict: 'open', basedOn: first.id });
    await search();
    const [again] = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'open', limit: 1 }))).items;
    expect(again.a.hash).toBe(pair.a.hash);
    await expect(decidePair(user, again.id, { verdict: 'fine', basedOn: first.id })).rejects.toMatchObject({ status: 409 });
    expect(await decidePair(user, again.id, { verdict: 'duplicate', keep: 'a', basedOn: undo.id })).toMatchObject({ previousVerdict: 'open' });
  });

  it('keeps a pair history newest first through decide, undo and decide again', async () => {
    const pairId = await onePair();
    const { user } = await addUser({ name: 'amy', role: 'curator', password: 'long-enough-password' });
    const first = await decidePair(user, pairId, { verdict: 'fine' });
    const undo = await decidePair(user, pairId, { verdict: 'open', basedOn: first.id });
    const again = await decidePair(user, pairId, { verdict: 'mislabeled', side: 'b', basedOn: undo.id });
    const history = await decisionsRepository.history('pair', 'key-1');
    expect(history.map((d) => [d.id, d.verdict, d.previousVerdict])).toEqual([
      [again.id, 'mislabeled', 'open'],
      [undo.id, 'open', 'fine'],
      [first.id, 'fine', 'open'],
    ]);
    expect((await decisionsRepository.latest('pair', 'key-1'))?.id).toBe(again.id);
  });

  it('counts decisions per curator, undos too, and pairs left, the same after folding the ledgers', async () => {
    const ids = await crossPairs(4);
    const { user: amy } = await addUser({ name: 'amy', role: 'curator', password: 'long-enough-password' });
    const { user: dan } = await addUser({ name: 'dan', role: 'curator', password: 'long-enough-password' });
    const fine = await decidePair(amy, ids[0], { verdict: 'fine' });
    await decidePair(amy, ids[0], { verdict: 'open', basedOn: fine.id });
    await decidePair(amy, ids[1], { verdict: 'duplicate', keep: 'a' });
    await decidePair(dan, ids[2], { verdict: 'mislabeled', side: 'b' });
    const expected = {
      pairs: { total: 4, open: 2, mislabeled: 1, duplicate: 1, fine: 0 },
      reviewers: [
        { name: 'amy', decisions: 3, last: expect.stringMatching(ISO_TIME) },
        { name: 'dan', decisions: 1, last: expect.stringMatching(ISO_TIME) },
      ],
    };
    expect(await reviewProgress()).toEqual(expected);
    await candidatesRepository.foldPairStatusLedger();
    await decisionsRepository.foldReviewerLedger();
    expect(await reviewProgress()).toEqual(expected);
    const { rows } = await getPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM "ReviewerCount"`);
    expect(rows[0].n).toBe(2);
  });
});
