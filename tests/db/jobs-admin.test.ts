import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionUser } from '@/lib/auth/guard';
import { getPool } from '@/lib/db';
import { cancelJob, retryJob, runScanInline } from '@/lib/services/jobs';
import { jobDetail, listJobs } from '@/lib/services/job-views';
import { updateSettings } from '@/lib/services/settings';
import { startScan } from '@/lib/services/start-scan';
import { addUser } from '@/lib/services/users';
import { startWorker, type RunningWorker } from '@/workers/worker';
import { jobHandlers } from '@/workers/handlers';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const quiet = () => {};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sample with every image copied `times` times: enough work to catch a scan while it runs. */
function largerSample(times: number): { root: string; images: number } {
  const root = copySample();
  let images = 0;
  for (const person of fs.readdirSync(root)) {
    for (const file of fs.readdirSync(path.join(root, person))) {
      const { name, ext } = path.parse(file);
      for (let k = 1; k < times; k++) fs.copyFileSync(path.join(root, person, file), path.join(root, person, `${name}-copy${k}${ext}`));
      images += times;
    }
  }
  return { root, images };
}

async function embeddedImages(): Promise<number> {
  const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM "Image" WHERE "embeddedAt" IS NOT NULL`);
  return rows[0].n;
}

/** Polls until the number of embedded images has not changed for `quietMs`; answers when it last changed. */
async function settledEmbedding(quietMs: number): Promise<{ count: number; lastChange: number }> {
  let count = await embeddedImages();
  let lastChange = Date.now();
  while (Date.now() - lastChange < quietMs) {
    await sleep(50);
    const now = await embeddedImages();
    if (now !== count) [count, lastChange] = [now, Date.now()];
  }
  return { count, lastChange };
}

let admin: SessionUser;
let worker: RunningWorker | undefined;
beforeEach(async () => {
  await resetDatabase();
  admin = (await addUser({ name: 'ada', role: 'admin', password: 'ada-password' })).user;
});
afterEach(async () => {
  await worker?.drain(5_000);
  worker = undefined;
});

describe('starting a scan', () => {
  it('refuses with a clear message while no dataset root is set', async () => {
    await expect(startScan({ mode: 'incremental', search: false }, admin)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/no dataset root is set yet/),
    });
  });

  it('refuses a second scan while one is queued, naming it', async () => {
    await updateSettings({ datasetRoot: copySample() });
    const first = await startScan({ mode: 'incremental', search: true }, admin);
    await expect(startScan({ mode: 'full', search: false }, admin)).rejects.toMatchObject({ status: 409, body: { id: first.id } });
    expect(await jobDetail(first.id, 'scan')).toMatchObject({ status: 'queued', createdBy: 'ada', params: { force: false, search: true } });
  });

  it('embeds every image again when the vectors were made by another model than the one set', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    const incremental = await startScan({ mode: 'incremental', search: false }, admin);
    expect((await jobDetail(incremental.id)).params.force).toBe(false);
    await cancelJob(incremental.id);
    await getPool().query(`UPDATE "Embedding" SET model = 'an older model'`);
    const stale = await startScan({ mode: 'incremental', search: false }, admin);
    expect((await jobDetail(stale.id)).params.force).toBe(true);
  });
});

describe('a rescan of a root that looks unmounted, run by the worker', () => {
  it('fails with the reason and queues no search, until started with allowGone', async () => {
    const root = copySample();
    await runScanInline({ root, force: false, search: false }, quiet, quiet);
    for (const person of fs.readdirSync(root)) fs.rmSync(path.join(root, person), { recursive: true });
    worker = await startWorker(jobHandlers, quiet);
    const refused = await startScan({ mode: 'incremental', search: true, allowGone: false }, admin);
    await expect.poll(async () => (await jobDetail(refused.id)).status, { timeout: 30_000, interval: 50 }).toBe('failed');
    expect((await jobDetail(refused.id)).error).toMatch(/finds 40 of the 40 images gone: is the disk unmounted/);
    const { rows } = await getPool().query(`SELECT status::text, count(*)::int AS n FROM "Image" GROUP BY 1`);
    expect(rows).toEqual([{ status: 'ok', n: 40 }]);
    expect((await listJobs(50)).filter((job) => job.kind === 'search')).toEqual([]);

    const accepted = await startScan({ mode: 'incremental', search: false, allowGone: true }, admin);
    expect((await jobDetail(accepted.id)).params).toMatchObject({ allowGone: true });
    await expect.poll(async () => (await jobDetail(accepted.id)).status, { timeout: 30_000, interval: 50 }).toBe('done');
    const after = await getPool().query(`SELECT status::text, count(*)::int AS n FROM "Image" GROUP BY 1`);
    expect(after.rows).toEqual([{ status: 'gone', n: 40 }]);
  });
});

describe('cancelling and retrying a job the worker runs', () => {
  it('stops a running scan within a second plus the inference batch in flight, and a retry embeds the rest under the same id', async () => {
    const { root, images } = largerSample(6);
    await updateSettings({ datasetRoot: root });
    worker = await startWorker(jobHandlers, quiet);
    const { id } = await startScan({ mode: 'incremental', search: false }, admin);
    // two batches written tell how long one takes on this machine
    await expect.poll(embeddedImages, { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    const [firstBatch, firstSeen] = [await embeddedImages(), Date.now()];
    await expect.poll(embeddedImages, { timeout: 60_000, interval: 20 }).toBeGreaterThan(firstBatch);
    const batchMs = Date.now() - firstSeen;
    expect((await jobDetail(id)).status).toBe('running');

    const cancelledAt = Date.now();
    await cancelJob(id);
    const { count: stoppedAt, lastChange } = await settledEmbedding(3_000);
    console.info(
      `scan ${id}: a batch takes ~${batchMs} ms; the last one was written ${lastChange - cancelledAt} ms after the cancel; ${stoppedAt} of ${images} embedded`,
    );
    expect((await jobDetail(id)).status).toBe('cancelled');
    expect(stoppedAt).toBeLessThan(images);
    // progress is flushed (and the cancel seen) at the first batch boundary a second after the last flush
    expect(lastChange - cancelledAt).toBeLessThan(1_000 + batchMs + 500);

    await retryJob(id);
    await expect.poll(async () => (await jobDetail(id)).status, { timeout: 120_000, interval: 250 }).toBe('done');
    expect(await embeddedImages()).toBe(images);
    const retried = await jobDetail(id);
    expect(retried).toMatchObject({ total: images, done: images, failed: 0, error: null });
    expect((await listJobs(10)).map((job) => job.id)).toEqual([id]);
  });

  it('retries a scan that failed because its folder was gone, and lists the failure reason until then', async () => {
    const root = copySample();
    await updateSettings({ datasetRoot: root });
    fs.renameSync(root, `${root}-away`);
    worker = await startWorker(jobHandlers, quiet);
    const { id } = await startScan({ mode: 'incremental', search: false }, admin);
    await expect.poll(async () => (await jobDetail(id)).status, { timeout: 60_000, interval: 250 }).toBe('failed');
    expect((await jobDetail(id)).error).toMatch(/does not exist|cannot be read/);

    fs.renameSync(`${root}-away`, root);
    await retryJob(id);
    await expect.poll(async () => (await jobDetail(id)).status, { timeout: 60_000, interval: 250 }).toBe('done');
    expect(await jobDetail(id)).toMatchObject({ total: 40, done: 40, error: null });
  });

  it('refuses to retry a job that is still running or has finished', async () => {
    await updateSettings({ datasetRoot: copySample() });
    const { id } = await startScan({ mode: 'incremental', search: false }, admin);
    await expect(retryJob(id)).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/only failed or cancelled/) });
  });
});
