// The tiled search against the same search in one process, in the same run: the whole matrix as one
// tile in this process; the default tiles in this process; and queued, on 1 and on 2 `facesift
// worker` processes (started, and warmed by one search, before the clock starts), with each worker's peak RSS. A tile holds
// two blocks whatever the dataset, so the per-worker peak at full dataset scale is the one at any scale.
// With --million: only the queued search of 1,000,000 x 512 (22,422 persons) on --workers workers, its
// time by phase (plan, tiles, finish) and each worker's peak RSS; a whole-matrix peer would not fit.
// Run: npx tsx tests/bench/search-tiles.ts [--images 57637] [--persons 1291] [--tile-rows 50000] [--million [--workers 2]]
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
import { DEFAULT_TILE_ROWS, type SearchSummary } from '@/lib/services/search-run';
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

/** Where a search's time went: from its job's creation to its first tile, its tiles, and from its last tile to the run's switch. */
async function phasesOf(jobId: string) {
  const { rows: phases } = await getPool().query<{ pickup: number; plan: number; tiles: number; finish: number; after: number | null; summary: SearchSummary }>(
    `SELECT extract(epoch FROM r."createdAt" - j."createdAt")::float8 AS pickup, extract(epoch FROM min(t."startedAt") - r."createdAt")::float8 AS plan, extract(epoch FROM max(t."finishedAt") - min(t."startedAt"))::float8 AS tiles,
            extract(epoch FROM r."finishedAt" - max(t."finishedAt"))::float8 AS finish, extract(epoch FROM j."finishedAt" - r."finishedAt")::float8 AS after, r.summary
       FROM "SearchRun" r JOIN "SearchTile" t ON t."runId" = r.id JOIN "Job" j ON j.id = r."jobId" WHERE r."jobId" = $1 GROUP BY r.id, j.id`,
    [jobId],
  );
  return phases[0];
}

/** One queued search, timed from its enqueueing to its job's end, with the workers' peak RSS as its last tile is done. */
async function queuedSearch(children: ChildProcess[], params: { threshold: number; tileRows: number }) {
  const started = performance.now();
  const job = await enqueueJob('search', params, null);
  // the peak while planning and running tiles, read as the last tile is done: the finish step then holds the run's pairs
  let tilesRss: number[] | null = null;
  for (;;) {
    const { rows } = await getPool().query(
      `SELECT j.status::text, j.error, r.tiles, r."tilesDone" FROM "Job" j LEFT JOIN "SearchRun" r ON r."jobId" = j.id WHERE j.id = $1 ORDER BY r.id DESC LIMIT 1`,
      [job.id],
    );
    if (rows[0].status === 'failed') throw new Error(`the queued search failed: ${rows[0].error}`);
    if (!tilesRss && rows[0].tiles > 0 && rows[0].tilesDone === rows[0].tiles) tilesRss = children.map((child) => peakRssMb(child.pid!));
    if (rows[0].status === 'done') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { job, started, tilesRss };
}

/**
 * A queued search on `workers` fresh worker processes. With `warm`, an untimed search first: a
 * worker runs for days, and its first tiles would otherwise pay for compiling the code they run.
 */
async function queued(workers: number, params: { threshold: number; tileRows: number }, warm: boolean) {
  const children = await Promise.all(Array.from({ length: workers }, startWorker));
  if (warm) await queuedSearch(children, params);
  const { job, started, tilesRss: seen } = await queuedSearch(children, params);
  let tilesRss = seen;
  const seconds = (performance.now() - started) / 1000;
  const rss = children.map((child) => peakRssMb(child.pid!));
  tilesRss ??= rss;
  const { rows: tiles } = await getPool().query(
    `SELECT t.runner, count(*)::int AS tiles, sum(t.seconds) AS seconds FROM "SearchTile" t JOIN "SearchRun" r ON r.id = t."runId" WHERE r."jobId" = $1 GROUP BY 1 ORDER BY 1`,
    [job.id],
  );
  for (const child of children) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  return { seconds, rss, tilesRss, tiles, phases: await phasesOf(job.id) };
}

async function main() {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '57637' },
      persons: { type: 'string', default: '1291' },
      threshold: { type: 'string', default: '0.4' },
      'tile-rows': { type: 'string', default: String(DEFAULT_TILE_ROWS) },
      million: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
    },
  });
  if (values.million) return million(Number(values.threshold), Number(values['tile-rows']), Number(values.workers));
  const images = Number(values.images);
  const threshold = Number(values.threshold);
  const tileRows = Number(values['tile-rows']);
  const { database } = await syntheticDatabase('facesift_tiles', images, Number(values.persons));
  try {
    const inProcess = async (rows: number) => {
      const job = await jobsRepository.create('search', {}, null);
      const started = performance.now();
      const summary = await runSearch({ threshold, tileRows: rows }, new JobProgress(job.id), () => {});
      return { seconds: (performance.now() - started) / 1000, summary, phases: await phasesOf(job.id) };
    };
    // untimed: the processes compared below have all run a search before
    await inProcess(tileRows);
    const whole = await inProcess(images + 1);
    const tiled = await inProcess(tileRows);
    const one = await queued(1, { threshold, tileRows }, true);
    const two = await queued(2, { threshold, tileRows }, true);

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
    const phase = ({ pickup, plan, tiles, finish, after }: Awaited<ReturnType<typeof phasesOf>>) =>
      `pickup ${pickup.toFixed(1)} s, plan ${plan.toFixed(1)} s, tiles ${tiles.toFixed(1)} s, finish ${finish.toFixed(1)} s` +
      (after === null ? '' : `, then to the job's end ${after.toFixed(1)} s`);
    console.log(`  one process, whole matrix: ${phase(whole.phases)}; tiled: ${phase(tiled.phases)}`);
    for (const [label, run] of [
      ['1 worker', one],
      ['2 workers', two],
    ] as const) {
      const perWorker = run.tiles.map((t) => `${t.tiles} tiles in ${Number(t.seconds).toFixed(1)} s`).join(', ');
      console.log(`  ${label}: ${phase(run.phases)}; peak RSS per worker ${run.rss.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}; ${perWorker}`);
    }
  } finally {
    await stopBoss({ graceful: false });
    await closeDb();
    await database.drop();
  }
}

async function million(threshold: number, tileRows: number, workers: number) {
  const [images, persons] = [1_000_000, 22_422];
  const made = performance.now();
  const { database } = await syntheticDatabase('facesift_tiles_million', images, persons);
  console.log(`${images} embeddings x 512 of ${persons} persons written in ${((performance.now() - made) / 1000).toFixed(0)} s; ${os.cpus().length} CPUs`);
  try {
    const run = await queued(workers, { threshold, tileRows }, false);
    const { plan, tiles, finish, summary } = run.phases;
    console.log(
      `queued search, ${workers} workers, T = ${threshold}, ${summary.tiles} tiles of ${tileRows} rows: ${(run.seconds / 60).toFixed(1)} min ` +
        `(plan ${plan.toFixed(0)} s, tiles ${tiles.toFixed(0)} s, finish ${finish.toFixed(0)} s)`,
    );
    console.log(
      `  ${summary.crossIdentityPairs} cross-identity pairs, ${summary.nearDuplicates} near-duplicates, ${summary.identityPairs} merge suggestions, ${summary.flaggedOutliers} outliers`,
    );
    const perWorker = run.tiles.map((t) => `${t.tiles} tiles in ${Number(t.seconds).toFixed(0)} s`).join(', ');
    const mb = (list: number[]) => list.map((value) => `${value.toFixed(0)} MB`).join(', ');
    console.log(`  peak RSS per worker through the plan and the tiles: ${mb(run.tilesRss)} (target <= 2,048 MB besides the pairs); ${perWorker}`);
    console.log(`  peak RSS per worker to the end: ${mb(run.rss)} (the finish step holds the run's pairs to rebuild the review queue's findings)`);
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
