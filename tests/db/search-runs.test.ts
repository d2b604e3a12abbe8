import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { jobsRepository } from '@/lib/repositories/jobs';
import { listIdentityPairsSchema, listOutliersSchema, listPairsSchema } from '@/lib/schemas/candidates';
import { decidePair, getPair } from '@/lib/services/decisions';
import { JobProgress } from '@/lib/services/job-progress';
import { enqueueJob, runScanInline } from '@/lib/services/jobs';
import { runSearch } from '@/lib/services/search';
import { addUser } from '@/lib/services/users';
import { flawedSample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');
const quiet = () => {};

async function searchInProcess(params: { threshold?: number; tileRows?: number } = { threshold: 0.3 }) {
  const job = await jobsRepository.create('search', {}, null);
  return runSearch(params, new JobProgress(job.id), quiet);
}

/** What curators see of the current run, without ids (a run's ids are its own). */
async function candidates() {
  const pairs = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 }))).items;
  const merges = (await candidatesRepository.listIdentityPairs(listIdentityPairsSchema.parse({ status: 'all', limit: 500 }))).items;
  const outliers = (await candidatesRepository.listOutliers(listOutliersSchema.parse({ kind: 'all', status: 'all', limit: 500 }))).items;
  const withoutId = <T extends { id: number }>({ id: _id, ...rest }: T) => rest;
  const sorted = <T>(items: T[]) => items.map((item) => JSON.stringify(item)).sort();
  return {
    pairs: sorted(pairs.map(withoutId)),
    merges: sorted(merges.map(withoutId)),
    outliers: sorted(outliers.map(withoutId)),
  };
}

const running: ChildProcess[] = [];

/** A real `facesift worker` process on the test database; resolves once it is ready to claim jobs. */
async function startWorker(env: Record<string, string> = {}) {
  const child = spawn(facesift, ['worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  running.push(child);
  const worker = { child, stderr: '' };
  child.stderr!.on('data', (chunk) => (worker.stderr += chunk));
  await expect.poll(() => worker.stderr, { timeout: 60_000, interval: 100 }).toMatch(/ready for/);
  return worker;
}

async function jobState(id: string) {
  const { rows } = await getPool().query(`SELECT status::text, error, total, done FROM "Job" WHERE id = $1`, [id]);
  return rows[0];
}

const waitForJob = (id: string, status: string) => expect.poll(async () => (await jobState(id)).status, { timeout: 110_000, interval: 250 }).toBe(status);

beforeEach(resetDatabase);
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
});

describe('a search run shared by worker processes', () => {
  it('finds exactly what one process finds when three workers share its tiles', async () => {
    await runScanInline({ root: flawedSample(), force: false, search: false }, quiet, quiet);
    await searchInProcess();
    const alone = await candidates();
    expect(alone.pairs.length).toBeGreaterThan(5);

    const job = await enqueueJob('search', { threshold: 0.3, tileRows: 5 }, null);
    await Promise.all([startWorker(), startWorker(), startWorker()]);
    await waitForJob(job.id, 'done');
    const { rows: runners } = await getPool().query(
      `SELECT count(*)::int AS tiles, count(DISTINCT runner)::int AS runners FROM "SearchTile" t JOIN "SearchRun" r ON r.id = t."runId" WHERE r."jobId" = $1`,
      [job.id],
    );
    expect(runners[0].tiles).toBeGreaterThan(10);
    expect(runners[0].runners).toBeGreaterThan(1);
    expect(await jobState(job.id)).toMatchObject({ total: runners[0].tiles, done: runners[0].tiles });
    expect(await candidates()).toEqual(alone);
  });

  it('hands one worker the tiles in their planned order, the one that reads a single block per tile', async () => {
    await runScanInline({ root: flawedSample(), force: false, search: false }, quiet, quiet);
    const job = await enqueueJob('search', { threshold: 0.3, tileRows: 5 }, null);
    await startWorker();
    await waitForJob(job.id, 'done');
    const { rows } = await getPool().query<{ tile: number }>(
      `SELECT t.tile FROM "SearchTile" t JOIN "SearchRun" r ON r.id = t."runId" WHERE r."jobId" = $1 ORDER BY t."startedAt", t."finishedAt"`,
      [job.id],
    );
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.map((row) => row.tile)).toEqual(rows.map((_, index) => index));
  });

  it('finds the same when a worker is killed in the middle of writing a tile', async () => {
    await runScanInline({ root: flawedSample(), force: false, search: false }, quiet, quiet);
    await searchInProcess();
    const alone = await candidates();

    const job = await enqueueJob('search', { threshold: 0.3, tileRows: 5 }, null);
    const doomed = await startWorker({ FACESIFT_TEST_PAUSE_IN_TILE_WRITE: '2' });
    await expect.poll(() => doomed.stderr, { timeout: 60_000, interval: 50 }).toMatch(/paused while writing a tile/);
    doomed.child.kill('SIGKILL');
    await Promise.all([startWorker(), startWorker()]);
    await waitForJob(job.id, 'done');
    const { rows } = await getPool().query(
      `SELECT max(attempts)::int AS attempts FROM "SearchTile" t JOIN "SearchRun" r ON r.id = t."runId" WHERE r."jobId" = $1`,
      [job.id],
    );
    expect(rows[0].attempts).toBe(2);
    expect(await candidates()).toEqual(alone);
  });

  it('fails the search with the reason of a tile that fails every retry, and keeps the previous run', async () => {
    await runScanInline({ root: flawedSample(), force: false, search: false }, quiet, quiet);
    await searchInProcess();
    const before = await candidates();
    const { rows: current } = await getPool().query(`SELECT id FROM "SearchRun" WHERE status = 'current'`);

    // the worker plans the run from sound vectors; then one breaks before its tiles are read
    const job = await enqueueJob('search', { threshold: 0.3, tileRows: 5 }, null);
    const planner = await startWorker({ FACESIFT_TEST_PAUSE_IN_TILE_WRITE: '1' });
    await expect.poll(() => planner.stderr, { timeout: 60_000, interval: 50 }).toMatch(/paused while writing a tile/);
    planner.child.kill('SIGKILL');
    await getPool().query(`UPDATE "Embedding" SET vector = '\\x0102' WHERE "imageId" = (SELECT id FROM "Image" WHERE path = 'raj_2/raj5.png')`);
    await startWorker({ FACESIFT_JOB_RETRY_DELAY_S: '1' });
    await waitForJob(job.id, 'failed');
    expect((await jobState(job.id)).error).toMatch(
      /^1 of \d+ search-tile jobs failed; \S+: tile \d+ \(rows \d+-\d+ x \d+-\d+\): the embedding of raj_2\/raj5.png has 2 bytes/,
    );
    const { rows: tiles } = await getPool().query(`SELECT attempts, error FROM "Job" WHERE "parentId" = $1 AND status = 'failed'`, [job.id]);
    expect(tiles).toHaveLength(1);
    expect(tiles[0].attempts).toBe(3);
    const { rows: runs } = await getPool().query(`SELECT id, status FROM "SearchRun" ORDER BY id`);
    expect(runs.find((run) => run.status === 'current').id).toBe(current[0].id);
    expect(runs[runs.length - 1].status).toBe('failed');
    expect(await candidates()).toEqual(before);
  });
});

describe('a decision addressed to a row of the previous run', () => {
  it('reaches the same subject in the current run, or is refused, never another subject', async () => {
    const root = flawedSample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    await searchInProcess();
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const old = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 }))).items;
    const kept = old.find((pair) => pair.kind === 'cross_identity' && pair.b.path === 'penny/amy3.png')!;
    const gone = old.find((pair) => [pair.a.identity, pair.b.identity].sort().join() === 'raj,raj_2')!;
    expect(kept && gone).toBeTruthy();
    const firstPage = await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 3 }));

    // raj_2 moves back: its pairs are gone, and every pair found again is numbered anew
    for (const name of ['raj4.png', 'raj5.png']) fs.renameSync(path.join(root, 'raj_2', name), path.join(root, 'raj', name));
    fs.rmdirSync(path.join(root, 'raj_2'));
    fs.copyFileSync(path.join(root, 'sheldon', 'sheldon1.png'), path.join(root, 'leonard', 'sheldon1-copy.png'));
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    await searchInProcess();
    const now = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 }))).items;
    expect(now.length).toBeGreaterThan(Math.max(kept.id, gone.id));

    const decided = await decidePair(user, kept.id, { verdict: 'mislabeled', side: 'b' });
    expect(decided).toMatchObject({ misfiledHash: kept.b.hash, fromIdentity: 'penny', toIdentity: 'amy' });
    await expect(decidePair(user, gone.id, { verdict: 'fine' })).rejects.toMatchObject({ status: 404 });

    const after = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 }))).items;
    const samePair = (p: (typeof after)[number]) => p.kind === kept.kind && p.a.hash === kept.a.hash && p.b.hash === kept.b.hash;
    // besides the pair itself, only pairs of the moved image are settled: by the move's propagation
    const ofMovedImage = (p: (typeof after)[number]) => p.a.hash === kept.b.hash || p.b.hash === kept.b.hash;
    expect(after.filter((pair) => pair.status !== 'open').every((pair) => samePair(pair) || ofMovedImage(pair))).toBe(true);
    expect(after.find(samePair)?.status).toBe('mislabeled');
    const { rows: decisions } = await getPool().query(`SELECT count(*)::int AS n FROM "Decision"`);
    expect(decisions[0].n).toBe(1);

    // a cursor from before the search goes on after the same place in the sort order
    const nextPage = await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500, cursor: firstPage.nextCursor! }));
    const lastShown = firstPage.items[firstPage.items.length - 1].similarity;
    expect(nextPage.items.length).toBeGreaterThan(0);
    expect(nextPage.items.every((pair) => pair.similarity < lastShown)).toBe(true);
    expect(nextPage.items).toEqual(after.filter((pair) => pair.similarity < lastShown));

    const shown = await getPair(kept.id);
    expect(shown).toMatchObject({ a: { hash: kept.a.hash }, b: { hash: kept.b.hash }, status: 'mislabeled' });
  });
});

describe('readers during a search write', () => {
  it('lists pairs and records a decision while a tile of the next run is being written, and the decision carries into it', async () => {
    await runScanInline({ root: flawedSample(), force: false, search: false }, quiet, quiet);
    await searchInProcess();
    const { user } = await addUser({ name: 'cora', role: 'curator', password: 'corapass1' });
    const before = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 }))).items;

    const job = await enqueueJob('search', { threshold: 0.3, tileRows: 5 }, null);
    const writer = await startWorker({ FACESIFT_TEST_PAUSE_IN_TILE_WRITE: '3' });
    await expect.poll(() => writer.stderr, { timeout: 60_000, interval: 50 }).toMatch(/paused while writing a tile/);
    const { rows: locks } = await getPool().query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE mode = 'RowExclusiveLock' AND granted AND relation::regclass::text LIKE '"CandidatePair_run_%'`,
    );
    expect(locks[0].n).toBeGreaterThan(0);

    const timeout = (ms: number) => new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms));
    const listed = await Promise.race([candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 })), timeout(5_000)]);
    expect((listed as { items: unknown[] }).items).toEqual(before);
    await Promise.race([decidePair(user, before[0].id, { verdict: 'fine' }), timeout(5_000)]);

    writer.child.kill('SIGKILL');
    await startWorker();
    await waitForJob(job.id, 'done');
    const after = (await candidatesRepository.listPairs(listPairsSchema.parse({ status: 'all', limit: 500 }))).items;
    expect(after.filter((pair) => pair.status === 'fine').map((pair) => [pair.a.hash, pair.b.hash, pair.kind])).toEqual([
      [before[0].a.hash, before[0].b.hash, before[0].kind],
    ]);
    expect(Math.min(...after.map((pair) => pair.id))).toBeGreaterThan(Math.max(...before.map((pair) => pair.id)));
  });
});
