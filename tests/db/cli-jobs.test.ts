import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPool } from '@/lib/db';
import { enqueueJob } from '@/lib/services/jobs';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');
const uuidLine = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/;

function cli(...args: string[]) {
  const result = spawnSync(facesift, args, { env: process.env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let worker: ChildProcess | undefined;
function startWorker() {
  worker = spawn(facesift, ['worker'], { env: process.env, stdio: 'ignore' });
  return worker;
}

async function statuses() {
  const { rows } = await getPool().query(`SELECT kind, status::text FROM "Job" WHERE "parentId" IS NULL ORDER BY "createdAt"`);
  return rows.map((row) => `${row.kind}:${row.status}`);
}

beforeEach(resetDatabase);
afterEach(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    worker.kill('SIGTERM');
    await new Promise((resolve) => worker!.once('exit', resolve));
  }
  worker = undefined;
});

describe('queued work from the command line', () => {
  it('queues a scan and a search, returning their ids at once, and jobs wait exits 0 once a worker did both', async () => {
    const root = copySample();
    const scan = cli('scan', '--root', root, '--enqueue');
    expect(scan).toMatchObject({ code: 0, stdout: expect.stringMatching(uuidLine) });
    const search = cli('search', '--threshold', '0.3', '--enqueue');
    expect(search).toMatchObject({ code: 0, stdout: expect.stringMatching(uuidLine) });
    expect(await statuses()).toEqual(['scan:queued', 'search:queued']);

    const ran = startWorker();
    const wait = cli('jobs', 'wait');
    expect(wait.code, wait.stderr).toBe(0);
    expect(wait.stderr).toMatch(/2 jobs done/);
    expect(await statuses()).toEqual(['scan:done', 'search:done']);

    const list = cli('jobs', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(scan.stdout.trim());
    expect(list.stdout).toMatch(new RegExp(`\\S+:${ran.pid}: 40 items in [\\d.]+ s, [\\d.]+/s, last heartbeat \\d+ s ago`));
    const json = JSON.parse(cli('jobs', 'list', '--json').stdout);
    expect(json.map((job: { id: string }) => job.id)).toEqual([search.stdout.trim(), scan.stdout.trim()]);
    expect(json[1]).toMatchObject({ status: 'done', children: { kind: 'embed-batch', done: expect.any(Number) }, workers: [{ items: 40 }] });
  });

  it('waits for a job and the jobs it led to (a scan and its search)', async () => {
    const { id } = await enqueueJob('scan', { root: copySample(), force: false, search: true }, null);
    startWorker();
    const wait = cli('jobs', 'wait', id);
    expect(wait.code, wait.stderr).toBe(0);
    expect(await statuses()).toEqual(['scan:done', 'search:done']);
  });

  it('exits 1 from jobs wait naming the job that failed and why', async () => {
    const root = copySample();
    const id = cli('scan', '--root', root, '--enqueue').stdout.trim();
    fs.renameSync(root, `${root}-away`);
    startWorker();
    const wait = cli('jobs', 'wait', id);
    expect(wait.code).toBe(1);
    expect(wait.stderr).toMatch(new RegExp(`scan ${id} failed: .*does not exist`));
  });

  it('calls a malformed job id or extra arguments bad usage (exit 2), and an unknown job a failure', () => {
    const malformed = cli('jobs', 'wait', 'not-a-job');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/usage: jobs wait \[ID\]/);
    expect(cli('jobs', 'wait', randomUUID(), randomUUID()).code).toBe(2);
    expect(cli('jobs', 'list', '--limit', 'many').code).toBe(2);
    const unknown = cli('jobs', 'wait', randomUUID());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no job/);
  });
});
