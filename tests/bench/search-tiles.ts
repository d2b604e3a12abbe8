// The tiled search against the same search in one process, in the same run: the whole matrix as one
// tile in this process; the default tiles in this process; and queued, on 1 and on 2 `facesift
// worker` processes (started before the clock starts), with each worker's peak RSS. A tile holds
// two blocks whatever the dataset, so the per-worker peak at full dataset scale is the one at any scale.
// Run: npx tsx tests/bench/search-tiles.ts [--images 57637] [--persons 1291] [--tile-rows 20000]
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDb, getPool } from '@/lib/db';
import { stopBoss } from '@/lib/queue/boss';
import { jobsRepository } from '@/lib/repositories/jobs';
import { JobProgress } from '@/lib/services/job-progress';
import { enqueueJob } from '@/lib/services/jobs';
import { runSearch } from '@/lib/services/search';
import { DEFAULT_TILE_ROWS } from '@/lib/services/search-run';
import { syntheticDatabase } from './synthetic-db';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');

/** The highest resident set a process has had (VmHWM), in MB. */
const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

async function startWorker(): Promise<ChildProcess> {
  const child = spawn(facesift, ['worker'], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      if (/ready for/.test(stderr)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${stderr}`)));
  });
  return child;
}

async function queued(workers: number, params: { threshold: number; tileRows: number }) {
  const children = await Promise.all(Array.from({ length: workers }, startWorker));
  const started = performance.now();
  const job = await enqueueJob('search', params, null);
  for (;;) {
    const { rows } = await getPool().query(`SELECT status::text, error FROM "Job" WHERE id = $1`, [job.id]);
    if (rows[0].status === 'failed') throw new Error(`the queued search failed: ${rows[0].error}`);
    if (rows[0].status === 'done') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const rss = children.map((child) => peakRssMb(child.pid!));
  const { rows: tiles } = await getPool().query(
    `SELECT t.runner, count(*)::int AS tiles, sum(t.seconds) AS seconds FROM "SearchTile" t JOIN "SearchRun" r ON r.id = t."runId" WHERE r."jobId" = $1 GROUP BY 1 ORDER BY 1`,
    [job.id],
  );
  for (const child of children) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return { seconds, rss, tiles };
}

async function main() {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '57637' },
      persons: { type: 'string', default: '1291' },
      threshold: { type: 'string', default: '0.4' },
      'tile-rows': { type: 'string', default: String(DEFAULT_TILE_ROWS) },
    },
  });
  const images = Number(values.images);
  const threshold = Number(values.threshold);
  const tileRows = Number(values['tile-rows']);
  const { database } = await syntheticDatabase('facesift_tiles', images, Number(values.persons));
  try {
    const inProcess = async (rows: number) => {
      const job = await jobsRepository.create('search', {}, null);
      const started = performance.now();
      const summary = await runSearch({ threshold, tileRows: rows }, new JobProgress(job.id), () => {});
      return { seconds: (performance.now() - started) / 1000, summary };
    };
    const whole = await inProcess(images + 1);
    const tiled = await inProcess(tileRows);
    const one = await queued(1, { threshold, tileRows });
    const two = await queued(2, { threshold, tileRows });

    console.log(
      `${images} embeddings x 512, ${values.persons} persons, threshold ${threshold}, ${whole.summary.crossIdentityPairs} cross-identity pairs; ${os.cpus().length} CPUs (shared)`,
    );
    console.log(`one process, whole matrix as 1 tile:     ${whole.seconds.toFixed(2)} s`);
    console.log(
      `one process, ${tiled.summary.tiles} tiles of ${tileRows} rows:  ${tiled.seconds.toFixed(2)} s  (${(tiled.seconds / whole.seconds).toFixed(2)}x)`,
    );
    console.log(
      `queued, 1 worker:                        ${one.seconds.toFixed(2)} s  (${(one.seconds / whole.seconds).toFixed(2)}x; tile overhead ${((one.seconds / whole.seconds - 1) * 100).toFixed(0)}%, target <= 10%)`,
    );
    console.log(
      `queued, 2 workers:                       ${two.seconds.toFixed(2)} s  (${(two.seconds / whole.seconds).toFixed(2)}x; the second worker adds ${((one.seconds / two.seconds - 1) * 100).toFixed(0)}%)`,
    );
    for (const [label, run] of [
      ['1 worker', one],
      ['2 workers', two],
    ] as const) {
      const perWorker = run.tiles.map((t) => `${t.tiles} tiles in ${Number(t.seconds).toFixed(1)} s`).join(', ');
      console.log(`  ${label}: peak RSS per worker ${run.rss.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}; ${perWorker}`);
    }
  } finally {
    await stopBoss({ graceful: false });
    await closeDb();
    await database.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
