import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { enqueueJob } from '@/lib/services/jobs';
import { startWorker, type RunningWorker } from '@/workers/worker';
import { jobHandlers } from '@/workers/handlers';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');
const quiet = () => {};

async function job(id: string) {
  const { rows } = await getPool().query(`SELECT status::text, total, done, failed, error FROM "Job" WHERE id = $1`, [id]);
  return rows[0];
}

let worker: RunningWorker | undefined;
beforeEach(resetDatabase);
afterEach(async () => {
  await worker?.drain(5_000);
  worker = undefined;
});

describe('the worker', () => {
  it('refuses to start when a job name has no handler', async () => {
    const { search: _search, ...withoutSearch } = jobHandlers;
    await expect(startWorker(withoutSearch, quiet)).rejects.toThrow(/no handler for job "search"/);
  });

  it('runs a queued scan and its embed batches, reporting progress in the job row', async () => {
    const queued = await enqueueJob('scan', { root: copySample(), force: false, search: false }, null);
    expect((await job(queued.id)).status).toBe('queued');
    worker = await startWorker(jobHandlers, quiet);
    await expect.poll(async () => (await job(queued.id)).status, { timeout: 60_000, interval: 250 }).toBe('done');
    expect(await job(queued.id)).toMatchObject({ total: 40, done: 40, failed: 0, error: null });
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM "Embedding"`);
    expect(rows[0].n).toBe(40);
  });

  it('finishes the embed batch it runs before it exits on SIGTERM, and leaves the rest queued for the next worker', async () => {
    const queued = await enqueueJob('scan', { root: copySample(), force: false, search: false }, null);
    const child = spawn(facesift, ['worker'], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await expect.poll(() => stderr, { timeout: 60_000, interval: 50 }).toMatch(/job embed-batch \S+ started/);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/draining/);
    const { rows: batches } = await getPool().query(`SELECT status::text FROM "Job" WHERE "parentId" = $1`, [queued.id]);
    expect(batches.map((batch) => batch.status)).toContain('done');
    expect(batches.map((batch) => batch.status)).not.toContain('running');
    worker = await startWorker(jobHandlers, quiet);
    await expect.poll(async () => (await job(queued.id)).status, { timeout: 60_000, interval: 250 }).toBe('done');
    expect(await job(queued.id)).toMatchObject({ done: 40, failed: 0 });
  });
});
