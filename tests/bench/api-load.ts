// API load check for the review UI's hot paths, against the production build over loopback:
// GET /api/pairs (50 per page, filtered and sorted, any page), a decision POST and the review
// queue's GET /api/review/next, at 10 concurrent connections, with 1,000,000 synthetic pairs in a
// throwaway database. Prints p50/p95/p99 next to the targets and to a peer measured in the same run
// (the same route, refused before any query).
// Postgres: DATABASE_URL's server (else the machine's), or with --embedded facesift's own, as
// `facesift serve` starts it without DATABASE_URL (its buffers sized by facesift), in a throwaway home.
// Both are measured again while a search writes a run of as many pairs (the write a search does, not
// its kernel: COPY into the run's own table, its indexes, decisions and statistics, round after round).
// Run: npx tsx tests/bench/api-load.ts [--pairs 1000000] [--seconds 20] [--warm-up 10] [--embedded]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { closeDb, getPool } from '@/lib/db';
import { ensureEmbeddedPostgres, stopEmbeddedPostgres } from '@/lib/db/embedded';
import { createHash } from 'node:crypto';
import { candidatesRepository } from '@/lib/repositories/candidates';
import { searchResultsRepository } from '@/lib/repositories/search-results';
import { searchRunsRepository } from '@/lib/repositories/search-runs';
import { encodeCursor } from '@/lib/schemas/primitives';
import { createTestDatabase } from '../support/database';

const root = path.resolve(__dirname, '..', '..');
const facesift = path.join(root, 'bin', 'facesift');
const CONNECTIONS = 10;
const TARGETS = { list: 50, decision: 30, next: 30 };
const PERSONS = 20_000;
const IMAGES_PER_PERSON = 10;

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await work();
  log(`${label} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/**
 * 20,000 people with 10 images each, and `pairs` cross pairs between them, generated in SQL. Each
 * image is paired with up to five others from other folders; similarities lean low (most found
 * pairs are near the threshold), one pair in twenty is a near-duplicate, one in ten is decided.
 */
async function fill(pairs: number) {
  const pool = getPool();
  const images = PERSONS * IMAGES_PER_PERSON;
  const perImage = Math.ceil(pairs / images);
  await pool.query(`INSERT INTO "Setting" (id, "datasetRoot", "updatedAt") VALUES (1, '/nonexistent/bench', now())`);
  await pool.query(`INSERT INTO "Identity" (id, name) SELECT g, 'person_' || lpad(g::text, 5, '0') FROM generate_series(1, ${PERSONS}) g`);
  await pool.query(`
    INSERT INTO "Image" (id, "identityId", path, "contentHash", size, status, width, height, "embeddedAt", "updatedAt")
    SELECT g, (g - 1) / ${IMAGES_PER_PERSON} + 1,
           'person_' || lpad(((g - 1) / ${IMAGES_PER_PERSON} + 1)::text, 5, '0') || '/img_' || g || '.jpg',
           encode(sha256(g::text::bytea), 'hex'), 20000 + g % 5000, 'ok', 150, 150, now(), now()
      FROM generate_series(1, ${images}) g`);
  // b is a whole number of folders away from a, so never in a's folder, and distinct for each k
  await pool.query(`
    INSERT INTO "CandidatePair" (kind, "imageAId", "imageBId", "identityAId", "identityBId", similarity, "pairKey", status)
    SELECT CASE WHEN random() < 0.05 THEN 'near_duplicate' ELSE 'cross_identity' END::"PairKind",
           a, b, (a - 1) / ${IMAGES_PER_PERSON} + 1, (b - 1) / ${IMAGES_PER_PERSON} + 1,
           0.3 + 0.7 * power(random(), 2), md5(a || ':' || b),
           CASE WHEN random() < 0.9 THEN 'open' ELSE (ARRAY['fine', 'mislabeled', 'duplicate'])[1 + floor(random() * 3)::int] END
      FROM (SELECT g % ${images} + 1 AS a, g / ${images} AS k FROM generate_series(0, ${pairs - 1}) g) s,
           LATERAL (SELECT (a - 1 + ${IMAGES_PER_PERSON} * (1 + a % 1000 + 397 * k)) % ${images} + 1 AS b) t
     WHERE k < ${perImage}`);
  await candidatesRepository.recountPairStatuses();
  // the review queue's findings, as a search leaves them: one per duplicate group or folder pair
  // worth a look, each naming the open pair to decide (a few thousand on a 57,637-image dataset)
  await pool.query(`
    INSERT INTO "ReviewFinding" (kind, key, priority, subject, "subjectKey", folders, evidence, detail)
    SELECT CASE p.kind WHEN 'near_duplicate' THEN 'duplicate' ELSE 'standout' END, p."pairKey", 2 + random(), 'pair', p."pairKey",
           ARRAY['person_' || lpad(p."identityAId"::text, 5, '0'), 'person_' || lpad(p."identityBId"::text, 5, '0')], 1, '{}'
      FROM "CandidatePair" p WHERE p.status = 'open' AND p.id % 50 = 0`);
  await pool.query('VACUUM ANALYZE');
}

/**
 * A search run of `pairs` pairs written the way a run's tiles and finish write it, again and again
 * until stopped (each run dropped after): what readers share the database with during a search.
 */
function searchWrites(pairs: number) {
  const images = PERSONS * IMAGES_PER_PERSON;
  const imageA = (p: number) => 1 + (p % images);
  const imageB = (p: number) => 1 + ((imageA(p) - 1 + IMAGES_PER_PERSON * (1 + (p % 997))) % images);
  let stopping = false;
  let rounds = 0;
  const running = (async () => {
    while (!stopping) {
      const runId = await searchRunsRepository.create({
        jobId: null,
        model: 'default',
        threshold: 0.3,
        duplicateThreshold: 0.95,
        outlierThreshold: 0.35,
        maxPairs: pairs,
        tileRows: 0,
        params: {},
      });
      await searchResultsRepository.addPairs(runId, [
        {
          kind: 'cross_identity',
          count: pairs,
          imageA,
          imageB,
          identityA: (p) => Math.floor((imageA(p) - 1) / IMAGES_PER_PERSON) + 1,
          identityB: (p) => Math.floor((imageB(p) - 1) / IMAGES_PER_PERSON) + 1,
          similarity: (p) => 0.3 + (0.7 * ((p * 7919) % 1000)) / 1000,
          pairKey: (p) =>
            createHash('md5')
              .update(`${imageA(p)}:${imageB(p)}`)
              .digest('hex'),
        },
      ]);
      await searchResultsRepository.prepareForReaders(runId);
      await searchRunsRepository.fail(runId, 'benchmark write');
      rounds++;
    }
  })();
  return {
    async stop() {
      stopping = true;
      await running;
      return rounds;
    },
  };
}

function cli(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(facesift, args, { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`facesift ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(facesift, ['serve', '--no-worker', '--port', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
      const ready = stderr.match(/facesift is running at (\S+)/);
      if (ready) resolve(ready[1]);
    });
    server.once('exit', (code) => reject(new Error(`facesift serve exited with ${code}:\n${stderr}`)));
  });
  return { url, server };
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)];

/** A random view of the list, opened at a random place: what curators sharing links and paging do. */
function randomListPath(): string {
  const sort = pick(['similarity', '-similarity'] as const);
  const similarity = 0.3 + 0.7 * Math.random() ** 2;
  const cursor = sort === 'similarity' ? encodeCursor(similarity, 2 ** 31 - 1) : encodeCursor(similarity, 0);
  const params = new URLSearchParams({ limit: '50', sort });
  const view = pick(['open', 'kind', 'person', 'range', 'decided', 'first'] as const);
  if (view === 'open') params.set('status', 'open');
  if (view === 'kind') Object.entries({ kind: pick(['cross_identity', 'near_duplicate']), status: 'open' }).forEach(([k, v]) => params.set(k, v));
  if (view === 'person') params.set('identity', `person_${String(1 + Math.floor(Math.random() * PERSONS)).padStart(5, '0')}`);
  if (view === 'range') {
    params.set('minSimilarity', similarity.toFixed(2));
    params.set('maxSimilarity', Math.min(1, similarity + 0.1).toFixed(2));
  }
  if (view === 'decided') params.set('status', 'decided');
  if (view !== 'first' && view !== 'person' && view !== 'range') params.set('cursor', cursor);
  return `/api/pairs?${params}`;
}

interface Measured {
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  perSecond: number;
  failures: number;
}

/** Runs autocannon and computes percentiles from every response time (autocannon's own lack p95). */
async function load(options: autocannon.Options, expectedStatus: number): Promise<Measured> {
  const times: number[] = [];
  let failures = 0;
  const instance = autocannon({ connections: CONNECTIONS, ...options });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    times.push(responseTime);
    if (statusCode !== expectedStatus) failures++;
  });
  const result = await instance;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
  return {
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    requests: times.length,
    perSecond: result.requests.average,
    failures: failures + result.errors + result.timeouts,
  };
}

/**
 * The same load first unmeasured, then measured: what a server that has been up a while answers.
 * A fresh one compiles its hot paths for several seconds (a decision's p95 is about twice as long
 * in its first three), and curators meet a server that has been up all day.
 */
async function measure(url: string, request: autocannon.Request, seconds: number, warmUp: number, expectedStatus = 200): Promise<Measured> {
  await load({ url, duration: warmUp, requests: [request] }, expectedStatus);
  return load({ url, duration: seconds, requests: [request] }, expectedStatus);
}

let floorMeasured: Measured | undefined;

function report(label: string, measured: Measured, target?: number, peer?: Measured) {
  const ratio = peer ? `  p95 ${(measured.p95 / peer.p95).toFixed(1)}x ${peer === floorMeasured ? "the peer's" : 'without the write'}` : '';
  const verdict = target === undefined ? '' : measured.p95 < target ? `  target p95 < ${target} ms: met` : `  target p95 < ${target} ms: MISSED`;
  console.log(
    `${label.padEnd(40)} p50 ${measured.p50.toFixed(1).padStart(6)} ms  p95 ${measured.p95.toFixed(1).padStart(6)} ms  p99 ${measured.p99.toFixed(1).padStart(6)} ms  ` +
      `${Math.round(measured.perSecond).toString().padStart(5)} req/s  ${measured.requests} requests, ${measured.failures} failed${ratio}${verdict}`,
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      pairs: { type: 'string', default: '1000000' },
      seconds: { type: 'string', default: '20' },
      'warm-up': { type: 'string', default: '10' },
      embedded: { type: 'boolean', default: false },
    },
  });
  const pairs = Number(values.pairs);
  const seconds = Number(values.seconds);
  const warmUp = Number(values['warm-up']);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-load-'));
  if (values.embedded) {
    // its server runs as another user when this runs as root, and must reach its data dir
    fs.chmodSync(home, 0o755);
    process.env.FACESIFT_HOME = home;
    process.env.DATABASE_URL = await timed('embedded Postgres started', ensureEmbeddedPostgres);
  }
  const database = await createTestDatabase('facesift_load');
  process.env.DATABASE_URL = database.url;
  const env = { ...process.env, DATABASE_URL: database.url, FACESIFT_HOME: home, FACESIFT_NEXT_DIST: process.env.FACESIFT_NEXT_DIST ?? '.next-bench' };
  let server: ChildProcess | undefined;
  try {
    await timed(`filled ${pairs.toLocaleString('en')} pairs`, () => fill(pairs));
    const counted = (await getPool().query(`SELECT count(*)::int AS n FROM "CandidatePair"`)).rows[0].n;
    cli(['user', 'add', 'bench', '--role', 'curator', '--password', 'bench-password'], env);
    const token = cli(['token', 'bench'], env);
    const headers = { authorization: `Bearer ${token}` };
    const started = await timed('server ready (builds first when sources changed)', () => startServer(env, 3000 + Math.floor(Math.random() * 20000)));
    server = started.server;
    const url = started.url;

    // The peer: the same server answering the same route without a database query (an unsigned
    // request, refused with 401). Its percentiles are what Next, the load tool and this machine
    // cost before facesift does anything; the ratios below are against it.
    const floorRequest = { method: 'GET' as const, path: '/api/pairs?limit=50' };
    const floor = await measure(url, floorRequest, seconds, warmUp, 401);
    floorMeasured = floor;

    const listRequest = { method: 'GET' as const, headers, setupRequest: (request: autocannon.Request) => ({ ...request, path: randomListPath() }) };
    const list = await measure(url, listRequest, seconds, warmUp);

    const progress = await measure(url, { method: 'GET', headers, path: '/api/progress' }, 5, warmUp);
    const findings = (await getPool().query(`SELECT count(*)::int AS n FROM "ReviewFinding"`)).rows[0].n;
    const queue = await measure(url, { method: 'GET', headers, path: '/api/review/next' }, seconds, warmUp);
    let writes = searchWrites(pairs);
    const listDuringWrite = await measure(url, listRequest, seconds, warmUp);
    let rounds = await writes.stop();

    // Decisions last: each "fine" on a pair a finding names rebuilds that finding behind its answer,
    // which the phases above would otherwise share the machine with.
    const { rows } = await getPool().query<{ id: number }>(`SELECT id FROM "CandidatePair" WHERE status = 'open' ORDER BY random() LIMIT 200000`);
    const ids = rows.map((row) => row.id);
    let next = 0;
    // each decision on a pair nobody decided yet: no basedOn, as a curator's first verdict
    const decisionRequest = {
      method: 'POST' as const,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ verdict: 'fine' }),
      setupRequest: (request: autocannon.Request) => ({ ...request, path: `/api/pairs/${ids[next++ % ids.length]}/decision` }),
    };
    const decision = await measure(url, decisionRequest, seconds, warmUp);
    writes = searchWrites(pairs);
    const decisionDuringWrite = await measure(url, decisionRequest, seconds, warmUp);
    rounds += await writes.stop();

    const { rows: buffers } = await getPool().query<{ size: string }>(`SELECT current_setting('shared_buffers') AS size`);
    const postgres = `${values.embedded ? "facesift's own Postgres" : 'Postgres at DATABASE_URL'} (shared_buffers ${buffers[0].size})`;
    console.log(
      `\n${counted.toLocaleString('en')} pairs, ${CONNECTIONS} connections over loopback, ${seconds} s each after ${warmUp} s of the same load, ${os.cpus().length} CPUs shared by server, ${postgres} and load tool`,
    );
    report('peer: GET /api/pairs unsigned (401)', floor);
    report('GET /api/pairs (50, filtered, any page)', list, TARGETS.list, floor);
    report('POST /api/pairs/[id]/decision', decision, TARGETS.decision, floor);
    report('GET /api/progress (counts, reviewers)', progress);
    report(`GET /api/review/next (${findings.toLocaleString('en')} findings)`, queue, TARGETS.next, floor);
    console.log(`during a search write of ${pairs.toLocaleString('en')} pairs (${rounds} runs written, each: COPY, indexes, decisions, ANALYZE):`);
    report('GET /api/pairs, during the write', listDuringWrite, TARGETS.list, list);
    report('POST decision, during the write', decisionDuringWrite, TARGETS.decision, decision);
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await closeDb();
    await database.drop();
    if (values.embedded) await stopEmbeddedPostgres();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
