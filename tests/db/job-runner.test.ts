import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/auth/guard';
import { closeDb, getPool } from '@/lib/db';
import { listenTo } from '@/lib/db/notifications';
import { enqueueJob, runScanInline } from '@/lib/services/jobs';
import { updateSettings } from '@/lib/services/settings';
import { startScan } from '@/lib/services/start-scan';
import { addUser } from '@/lib/services/users';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');
const quiet = () => {};
// a beat every 0.3 s: a worker silent for 12 of them (3.6 s) is taken for dead
const fast = { FACESIFT_JOB_HEARTBEAT_S: '0.3', FACESIFT_JOB_RETRY_DELAY_S: '0.2' };

interface Worker {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

const workers: Worker[] = [];

/** A real `facesift worker` process, answered once it is ready to claim jobs. */
async function spawnWorker(env: Record<string, string> = {}): Promise<Worker> {
  const child = spawn(facesift, ['worker'], { env: { ...process.env, ...fast, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const worker = { child, stderr: () => stderr, exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
  workers.push(worker);
  await expect.poll(() => stderr, { timeout: 60_000, interval: 100 }).toMatch(/ready for/);
  return worker;
}

async function jobRow(id: string) {
  const { rows } = await getPool().query(`SELECT status::text, total, done, failed, error, attempts, "attemptErrors", runner FROM "Job" WHERE id = $1`, [id]);
  return rows[0];
}

const statusOf = async (id: string) => (await getPool().query(`SELECT status::text FROM "Job" WHERE id = $1`, [id])).rows[0].status;

/** The rows of a kind that had an attempt interrupted or failed, with the reasons. */
const retriedRows = async (kind: string) =>
  (await getPool().query(`SELECT id, status::text, "attemptErrors" FROM "Job" WHERE kind = $1 AND jsonb_array_length("attemptErrors") > 0`, [kind])).rows;

async function imageRows() {
  const { rows } = await getPool().query(
    `SELECT i.path, i."contentHash", i.status::text, e.vector FROM "Image" i LEFT JOIN "Embedding" e ON e."imageId" = i.id ORDER BY i.path`,
  );
  return rows as { path: string; contentHash: string; status: string; vector: Buffer | null }[];
}

const toVector = (bytes: Buffer) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, k) => sum + value * b[k], 0);

function expectSameImages(actual: Awaited<ReturnType<typeof imageRows>>, expected: Awaited<ReturnType<typeof imageRows>>) {
  expect(actual.map((row) => [row.path, row.contentHash, row.status])).toEqual(expected.map((row) => [row.path, row.contentHash, row.status]));
  actual.forEach((row, index) => expect(dot(toVector(row.vector!), toVector(expected[index].vector!)), row.path).toBeGreaterThan(0.9999));
}

/** What one process makes of the sample: the reference the shared runs must equal. */
async function singleProcessScan(root: string) {
  await runScanInline({ root, force: false, search: false }, quiet, quiet);
  const rows = await imageRows();
  await resetDatabase();
  return rows;
}

const childRunners = async (parentId: string) =>
  (await getPool().query(`SELECT DISTINCT runner FROM "Job" WHERE "parentId" = $1 AND status = 'done'`, [parentId])).rows.map((row) => row.runner);

beforeEach(resetDatabase);
afterEach(async () => {
  for (const worker of workers.splice(0)) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    await worker.exited;
  }
});

describe('workers sharing one scan', () => {
  it('three workers share the embed batches of one scan, and the rows equal a single-process scan', async () => {
    const root = copySample();
    const expected = await singleProcessScan(root);
    await Promise.all([spawnWorker(), spawnWorker(), spawnWorker()]);
    const { id } = await enqueueJob('scan', { root, force: false, search: false }, null);
    await expect.poll(() => statusOf(id), { timeout: 120_000, interval: 250 }).toBe('done');
    expect(await jobRow(id)).toMatchObject({ total: 40, done: 40, failed: 0, error: null });
    expect((await childRunners(id)).length).toBeGreaterThan(1);
    expectSameImages(await imageRows(), expected);
  });

  it('gives the same rows when a worker is SIGKILLed in the middle of an embed batch', async () => {
    const root = copySample();
    const expected = await singleProcessScan(root);
    const doomed = await spawnWorker({ FACESIFT_TEST_PAUSE_AFTER_IMAGES: '1' });
    const { id } = await enqueueJob('scan', { root, force: false, search: false }, null);
    await expect.poll(doomed.stderr, { timeout: 60_000, interval: 100 }).toMatch(/paused after \d+ images/);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await Promise.all([spawnWorker(), spawnWorker()]);
    await expect.poll(() => statusOf(id), { timeout: 120_000, interval: 250 }).toBe('done');
    expect(await jobRow(id)).toMatchObject({ total: 40, done: 40, failed: 0 });
    const interrupted = await retriedRows('embed-batch');
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0].status).toBe('done');
    expect(interrupted[0].attemptErrors[0].reason).toMatch(new RegExp(`interrupted: \\S+:${doomed.child.pid} stopped`));
    expectSameImages(await imageRows(), expected);
  });
});

describe('waking workers', () => {
  it('rings the kind of a queued job once its transaction commits, so idle workers need not wait for a poll', async () => {
    const heard: string[] = [];
    let ready = false;
    const listener = listenTo('facesift_jobs', { ready: () => (ready = true), notified: (kind) => heard.push(kind), lost: () => {} })!;
    try {
      await expect.poll(() => ready).toBe(true);
      await enqueueJob('search', {}, null);
      await expect.poll(() => heard).toContain('search');
      expect(heard.filter((kind) => kind !== 'search')).toEqual([]);
    } finally {
      await listener.end();
    }
  });
});

describe('retries', () => {
  it('fails a poison embed batch with its reason after three attempts, while the other batches finish', async () => {
    const root = copySample();
    await Promise.all([spawnWorker({ FACESIFT_TEST_FAIL_IMAGE: 'amy/amy2.png' }), spawnWorker({ FACESIFT_TEST_FAIL_IMAGE: 'amy/amy2.png' })]);
    const { id } = await enqueueJob('scan', { root, force: false, search: true }, null);
    await expect.poll(() => statusOf(id), { timeout: 120_000, interval: 250 }).toBe('failed');
    const { rows: batches } = await getPool().query(
      `SELECT id, status::text, attempts, "attemptErrors", error, params FROM "Job" WHERE "parentId" = $1 ORDER BY status`,
      [id],
    );
    const poison = batches.filter((batch) => batch.status === 'failed');
    expect(poison).toHaveLength(1);
    expect(poison[0].attempts).toBe(3);
    expect(poison[0].attemptErrors.map((attempt: { reason: string }) => attempt.reason)).toEqual(
      Array(3).fill('cannot embed amy/amy2.png (FACESIFT_TEST_FAIL_IMAGE)'),
    );
    expect(batches.filter((batch) => batch.status === 'done')).toHaveLength(batches.length - 1);
    expect((await jobRow(id)).error).toBe(
      `1 of ${batches.length} embed-batch jobs failed; ${poison[0].id}: cannot embed amy/amy2.png (FACESIFT_TEST_FAIL_IMAGE) (attempt 3 of 3)`,
    );
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM "Image" WHERE "embeddedAt" IS NOT NULL AND NOT (id = ANY($1::int[]))`, [
      poison[0].params.imageIds,
    ]);
    expect(rows[0].n).toBe(40 - poison[0].params.imageIds.length);
    // a failed scan does not start its search
    expect((await getPool().query(`SELECT count(*)::int AS n FROM "Job" WHERE kind = 'search'`)).rows[0].n).toBe(0);
  });
});

describe('interrupted jobs', () => {
  const kinds = ['scan', 'embed-batch', 'search', 'search-tile', 'import-npz'] as const;

  it.each(kinds)('hands a %s job of a stopped worker to another once its heartbeats stop', async (kind) => {
    const root = copySample();
    const searching = kind === 'search' || kind === 'search-tile';
    if (searching) await runScanInline({ root, force: false, search: false }, quiet, quiet);
    // an embed batch is caught after its first images; the other kinds as they start
    const stuck = await spawnWorker(kind === 'embed-batch' ? { FACESIFT_TEST_PAUSE_AFTER_IMAGES: '1' } : { FACESIFT_TEST_PAUSE_JOB: kind });
    const { id } = searching
      ? await enqueueJob('search', {}, null)
      : kind === 'import-npz'
        ? await enqueueJob('import-npz', { root }, null)
        : await enqueueJob('scan', { root, force: false, search: false }, null);
    await expect.poll(stuck.stderr, { timeout: 60_000, interval: 100 }).toMatch(/paused (in job|after)/);
    // alive (its pid answers) but silent: only the missing heartbeats can tell
    stuck.child.kill('SIGSTOP');
    await spawnWorker();
    await expect.poll(() => statusOf(id), { timeout: 60_000, interval: 250 }).toBe('done');
    const taken = await retriedRows(kind);
    expect(taken).toHaveLength(1);
    expect(taken[0].status).toBe('done');
    expect(taken[0].attemptErrors).toHaveLength(1);
    expect(taken[0].attemptErrors[0].reason).toMatch(new RegExp(`^interrupted: \\S+:${stuck.child.pid} stopped`));
    stuck.child.kill('SIGKILL');
  });
});

describe('faults', () => {
  let admin: SessionUser;
  beforeEach(async () => {
    admin = (await addUser({ name: 'ada', role: 'admin', password: 'ada-password' })).user;
  });

  it('starts one scan when two requests to start one arrive at once', async () => {
    await updateSettings({ datasetRoot: copySample() });
    // writes to "Job" wait until both requests have checked for an active scan (3 s is plenty for two checks)
    const gate = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await gate.connect();
    await gate.query('BEGIN');
    await gate.query('LOCK TABLE "Job" IN EXCLUSIVE MODE');
    const answers = Promise.allSettled([startScan({ mode: 'incremental', search: false }, admin), startScan({ mode: 'incremental', search: false }, admin)]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await gate.query('COMMIT');
    await gate.end();
    const settled = await answers;
    const started = settled.filter((answer) => answer.status === 'fulfilled') as PromiseFulfilledResult<{ id: string }>[];
    expect(started).toHaveLength(1);
    const refused = settled.find((answer) => answer.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ status: 409, body: { id: started[0].value.id } });
    expect((await getPool().query(`SELECT count(*)::int AS n FROM "Job" WHERE kind = 'scan'`)).rows[0].n).toBe(1);
  });

  it('resumes a scan whose worker was killed as soon as another worker runs, instead of answering 409 until an expiry', async () => {
    const root = copySample();
    await updateSettings({ datasetRoot: root });
    const doomed = await spawnWorker({ FACESIFT_TEST_PAUSE_AFTER_IMAGES: '1' });
    const first = await startScan({ mode: 'incremental', search: false }, admin);
    await expect.poll(doomed.stderr, { timeout: 60_000, interval: 100 }).toMatch(/paused after/);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await expect(startScan({ mode: 'incremental', search: false }, admin)).rejects.toMatchObject({ status: 409, body: { id: first.id } });
    await spawnWorker();
    await expect.poll(() => statusOf(first.id), { timeout: 60_000, interval: 250 }).toBe('done');
    const second = await startScan({ mode: 'incremental', search: false }, admin);
    expect(second.id).not.toBe(first.id);
  });

  it('keeps the worker running when Postgres drops its connections, and it goes on taking jobs', async () => {
    const root = copySample();
    const worker = await spawnWorker();
    const warmUp = await enqueueJob('import-npz', { root }, null);
    await expect.poll(() => statusOf(warmUp.id), { timeout: 60_000, interval: 250 }).toBe('done');
    // every connection to this database but the one that ends them: the worker's idle ones included
    await closeDb();
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    const { rows } = await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await admin.end();
    expect(rows.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(worker.child.exitCode, `the worker exited; its stderr:\n${worker.stderr()}`).toBeNull();
    const { id } = await enqueueJob('scan', { root, force: false, search: false }, null);
    await expect.poll(() => statusOf(id), { timeout: 120_000, interval: 250 }).toBe('done');
    expect(worker.child.exitCode, `the worker exited; its stderr:\n${worker.stderr()}`).toBeNull();
  });
});
