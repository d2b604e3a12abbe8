import { badRequest } from '@/lib/errors';
import { searchResultsRepository, type EmbeddingRows, type OutlierToWrite, type PairRowsToWrite, type RowKey } from '@/lib/repositories/search-results';
import { rebuildReview } from '@/lib/services/review';
import { isLockTimeout, searchRunsRepository, type BlockPlan, type RunPlan, type SearchRunRow } from '@/lib/repositories/search-runs';
import { settingsRepository } from '@/lib/repositories/settings';
import type { SearchJobParams } from '@/lib/schemas/jobs';
import { identityPairKeyOf, outlierKeyOf, pairKeyOf } from '@/lib/services/decisions';
import type { JobProgress } from '@/lib/services/job-progress';
import { thisRunner } from '@/lib/services/job-runner';
import { embeddingModelName } from '@/lib/services/scan';
import { defaultCrossThreshold } from '@/lib/services/settings';
import {
  DEFAULT_OUTLIER_THRESHOLD,
  TooManyPairsError,
  centroidsFromSums,
  findOutliers,
  findTilePairs,
  rankByCentroids,
  tooManyPairs,
  type IdentityCentroids,
  type PairList,
  type PairRange,
} from '@/lib/similarity';

/**
 * A search is planned as tiles of the upper triangle of the similarity matrix: rows are read in
 * one order (by person, then image) and cut into blocks; tile (r, c), r <= c, is every pair of a
 * row of block r with a row of block c. Each tile is a queue job any worker takes, loading only its
 * two blocks; a finish step then computes what needs the whole and makes the run current. The CLI
 * runs the same plan in its own process.
 */

/** Rows per block: a tile holds two blocks of 512-d vectors (2 x 102 MB at this size): few block reads at a million rows, far under 2 GB a worker. */
export const DEFAULT_TILE_ROWS = 50_000;

export interface SearchSummary {
  images: number;
  identities: number;
  threshold: number;
  duplicateThreshold: number;
  crossIdentityPairs: number;
  nearDuplicates: number;
  identityPairs: number;
  flaggedOutliers: number;
  seconds: { load: number; search: number; write: number };
  runId: number;
  tiles: number;
}

type Log = (line: string) => void;

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * Creates the run and its plan: one streaming pass over the embeddings sums each person's vectors
 * (the centroids every tile scores outliers against) and cuts the rows into blocks of at least
 * `tileRows` rows at person boundaries, so a diagonal tile holds every image of its people.
 */
export async function planSearch(jobId: string | null, params: SearchJobParams, progress: JobProgress | null, log: Log): Promise<SearchRunRow> {
  const start = process.hrtime.bigint();
  const settings = await settingsRepository.get();
  const model = embeddingModelName(settings);
  const threshold = params.threshold ?? settings.crossThreshold ?? defaultCrossThreshold(settings);
  const duplicateThreshold = params.duplicateThreshold ?? settings.duplicateThreshold;
  const outlierThreshold = settings.outlierThreshold ?? DEFAULT_OUTLIER_THRESHOLD;
  const maxPairs = params.maxPairs ?? settings.maxPairs;
  const tileRows = params.tileRows ?? DEFAULT_TILE_ROWS;
  // a retried plan starts afresh: what an interrupted attempt began goes
  const earlier = jobId ? await searchRunsRepository.byJob(jobId) : null;
  if (earlier?.status === 'building') await searchRunsRepository.fail(earlier.id, 'replaced by a later attempt of its job');
  const runId = await searchRunsRepository.create({ jobId, model, threshold, duplicateThreshold, outlierThreshold, maxPairs, tileRows, params });
  try {
    return await planRun(runId, model, tileRows, start, progress, log);
  } catch (error) {
    await searchRunsRepository.fail(runId, (error as Error).message);
    throw error;
  }
}

async function planRun(runId: number, model: string, tileRows: number, start: bigint, progress: JobProgress | null, log: Log): Promise<SearchRunRow> {
  const { n, dim: found } = await searchResultsRepository.countEmbeddings(model);
  // with nothing embedded there is nothing to compare, but the previous run's candidates must still go
  const dim = found || 1;
  const identityIds: number[] = [];
  const counts: number[] = [];
  const sums: Float64Array[] = [];
  const blocks: BlockPlan[] = [];
  let block: BlockPlan = { start: 0, rows: 0, after: [-1, -1], last: [-1, -1] };
  // the rows of the block being read and of the one before: the last two stay in this process for
  // the first two tiles (at two blocks, every tile), which need no read then
  let pieces: Piece[] = [];
  let previous: { pieces: Piece[]; rows: number } | null = null;
  let rows = 0;
  for await (const chunk of searchResultsRepository.embeddingChunks(model, dim, [-1, -1], null)) {
    pieces.push({ chunk, from: 0 });
    for (let k = 0; k < chunk.imageIds.length; k++, rows++) {
      const identityId = chunk.identityIds[k];
      if (identityIds[identityIds.length - 1] !== identityId) {
        if (block.rows >= tileRows) {
          blocks.push(block);
          previous = { pieces, rows: block.rows };
          block = { start: rows, rows: 0, after: block.last, last: block.last };
          pieces = [{ chunk, from: k }];
        }
        identityIds.push(identityId);
        counts.push(0);
        sums.push(new Float64Array(dim));
      }
      const sum = sums[sums.length - 1];
      for (let d = 0; d < dim; d++) sum[d] += chunk.vectors[k * dim + d];
      counts[counts.length - 1]++;
      block.rows++;
      block.last = [identityId, chunk.imageIds[k]];
    }
  }
  if (block.rows > 0) blocks.push(block);
  if (rows !== n) throw new Error('the embeddings changed while the search was planned; search again');
  const allSums = new Float64Array(identityIds.length * dim);
  sums.forEach((sum, label) => allSums.set(sum, label * dim));
  const plan: RunPlan & { counts: number[] } = { blocks, identityIds, counts };
  const tiles = tileOrder(blocks.length);
  await searchRunsRepository.savePlan(runId, plan, allSums, rows, dim, tiles);
  await progress?.setTotal(tiles.length);
  log(
    `search run ${runId}: ${rows} embeddings of ${identityIds.length} people in ${blocks.length} blocks, ${tiles.length} tiles (planned in ${seconds(start).toFixed(1)} s)`,
  );
  const run = (await searchRunsRepository.find(runId))!;
  if (blocks.length) {
    const labelOf = new Map(identityIds.map((identityId, label) => [identityId, label]));
    if (previous && blocks.length >= 2) keepBlock(run, blocks.length - 2, assemble(previous.pieces, previous.rows, dim, labelOf));
    keepBlock(run, blocks.length - 1, assemble(pieces, block.rows, dim, labelOf));
  }
  return run;
}

/**
 * The tiles in the order they are queued, so that a process taking them one after another (and
 * holding two blocks) reads one block per off-diagonal tile and none for a diagonal one: rows sweep
 * back and forth, and the first two tiles are of the last two blocks, which the planner still holds.
 * 3 blocks: 2 block reads for 6 tiles after the plan (none at 2 blocks).
 */
export function tileOrder(blocks: number): { rowBlock: number; colBlock: number }[] {
  const tiles: { rowBlock: number; colBlock: number }[] = [];
  for (let r = 0; r < blocks; r++) {
    const cols = Array.from({ length: blocks - r }, (_, k) => r + k);
    for (const c of r % 2 ? cols.reverse() : cols) tiles.push({ rowBlock: blocks - 1 - c, colBlock: blocks - 1 - r });
  }
  return tiles;
}

interface Block extends EmbeddingRows {
  labels: Int32Array;
  pathBytes: Buffer[];
}

interface RunContext {
  run: SearchRunRow;
  plan: RunPlan & { counts: number[] };
  labelOf: Map<number, number>;
  centroids: IdentityCentroids;
  names: Map<number, string>;
}

/**
 * What a process keeps between the tiles it runs: the run's small parts, and the two blocks used
 * last. Tiles are queued row block by row block, so a worker taking them in order keeps its row
 * block and loads one new block per tile.
 */
const cache: { context?: RunContext; blocks: Map<string, Block> } = { blocks: new Map() };

// by creation time too: run ids start again in a database emptied for tests
const runKey = (run: SearchRunRow) => `${run.id}@${run.createdAt.getTime()}`;

function keepBlock(run: SearchRunRow, index: number, block: Block) {
  cache.blocks.delete(`${runKey(run)}:${index}`);
  cache.blocks.set(`${runKey(run)}:${index}`, block);
  while (cache.blocks.size > 2) cache.blocks.delete(cache.blocks.keys().next().value!);
}

async function contextOf(run: SearchRunRow): Promise<RunContext> {
  if (cache.context && runKey(cache.context.run) === runKey(run)) return cache.context;
  const plan = run.plan as RunPlan & { counts: number[] };
  const sums = await searchRunsRepository.sums(run.id);
  cache.context = {
    run,
    plan,
    labelOf: new Map(plan.identityIds.map((identityId, label) => [identityId, label])),
    centroids: centroidsFromSums(Int32Array.from(plan.counts), sums, run.dim),
    names: await searchResultsRepository.identityNames(),
  };
  // what the planner kept of this run stays; blocks of other runs go
  for (const key of [...cache.blocks.keys()]) if (!key.startsWith(`${runKey(run)}:`)) cache.blocks.delete(key);
  return cache.context;
}

/** Rows of consecutive chunks, from row `from` of the first one on. */
interface Piece {
  chunk: EmbeddingRows;
  from: number;
}

/** A block from its rows in order, each labelled with its person's label; throws when they are not the planned rows. */
function assemble(pieces: Piece[], rows: number, dim: number, labelOf: Map<number, number>): Block {
  const block: Block = {
    imageIds: new Int32Array(rows),
    identityIds: new Int32Array(rows),
    labels: new Int32Array(rows),
    hashes: [],
    paths: [],
    pathBytes: [],
    vectors: new Float32Array(rows * dim),
    dim,
  };
  let at = 0;
  for (const { chunk, from } of pieces) {
    const to = Math.min(chunk.imageIds.length, from + rows - at);
    block.imageIds.set(chunk.imageIds.subarray(from, to), at);
    block.identityIds.set(chunk.identityIds.subarray(from, to), at);
    block.vectors.set(chunk.vectors.subarray(from * dim, to * dim), at * dim);
    for (let k = from; k < to; k++) block.labels[at + k - from] = labelOf.get(chunk.identityIds[k]) ?? -1;
    block.hashes.push(...chunk.hashes.slice(from, to));
    block.paths.push(...chunk.paths.slice(from, to));
    at += to - from;
    if (at === rows) break;
  }
  if (at !== rows || block.labels.includes(-1)) throw new Error('the embeddings changed while the search ran; search again');
  block.pathBytes = block.paths.map((path) => Buffer.from(path));
  return block;
}

async function loadBlock(context: RunContext, index: number): Promise<Block> {
  const { run } = context;
  const cached = cache.blocks.get(`${runKey(run)}:${index}`);
  if (cached) {
    keepBlock(run, index, cached);
    return cached;
  }
  const plan = context.plan.blocks[index];
  const pieces: Piece[] = [];
  let read = 0;
  for await (const chunk of searchResultsRepository.embeddingChunks(run.model, run.dim, plan.after as RowKey, plan.last as RowKey)) {
    pieces.push({ chunk, from: 0 });
    read += chunk.imageIds.length;
  }
  const block = assemble(pieces, read, run.dim, context.labelOf);
  if (read !== plan.rows) throw new Error('the embeddings changed while the search ran; search again');
  keepBlock(run, index, block);
  return block;
}

/** The rows of a tile as one set: the row block, then (off the diagonal) the column block. */
function tileSet(rows: Block, cols: Block | null): { set: Block; range: PairRange } {
  if (!cols) return { set: rows, range: { rowStart: 0, rowEnd: rows.imageIds.length, colStart: 0, colEnd: rows.imageIds.length } };
  const n = rows.imageIds.length;
  const joined = <T extends Int32Array | Float32Array>(a: T, b: T): T => {
    const out = new (a.constructor as new (length: number) => T)(a.length + b.length);
    out.set(a);
    out.set(b, a.length);
    return out;
  };
  const set: Block = {
    imageIds: joined(rows.imageIds, cols.imageIds),
    identityIds: joined(rows.identityIds, cols.identityIds),
    labels: joined(rows.labels, cols.labels),
    vectors: joined(rows.vectors, cols.vectors),
    hashes: [...rows.hashes, ...cols.hashes],
    paths: [...rows.paths, ...cols.paths],
    pathBytes: [...rows.pathBytes, ...cols.pathBytes],
    dim: rows.dim,
  };
  return { set, range: { rowStart: 0, rowEnd: n, colStart: n, colEnd: n + cols.imageIds.length } };
}

/** a is the image whose path comes first in UTF-8 byte order (the order scripts sorting bytes see). */
function pairRows(kind: PairRowsToWrite['kind'], list: PairList, set: Block): PairRowsToWrite {
  const aFirst = new Uint8Array(list.i.length);
  for (let p = 0; p < list.i.length; p++) aFirst[p] = Buffer.compare(set.pathBytes[list.i[p]], set.pathBytes[list.j[p]]) < 0 ? 1 : 0;
  const first = (p: number) => (aFirst[p] ? list.i[p] : list.j[p]);
  const second = (p: number) => (aFirst[p] ? list.j[p] : list.i[p]);
  return {
    kind,
    count: list.i.length,
    imageA: (p) => set.imageIds[first(p)],
    imageB: (p) => set.imageIds[second(p)],
    identityA: (p) => set.identityIds[first(p)],
    identityB: (p) => set.identityIds[second(p)],
    similarity: (p) => Math.min(1, list.sim[p]),
    pairKey: (p) => pairKeyOf(set.hashes[list.i[p]], set.hashes[list.j[p]]),
  };
}

async function blockOutliers(context: RunContext, block: Block): Promise<OutlierToWrite[]> {
  const { run, plan, centroids, names } = context;
  const report = await findOutliers({ vectors: block.vectors, dim: run.dim, labels: block.labels }, { threshold: run.outlierThreshold, centroids });
  const outliers: OutlierToWrite[] = [];
  report.score.forEach((score, r) => {
    if (Number.isNaN(score)) return;
    const nearest = report.nearestIdentity[r];
    outliers.push({
      imageId: block.imageIds[r],
      identityId: block.identityIds[r],
      score,
      neighbourScore: report.neighbourMean[r],
      nearestIdentityId: nearest >= 0 ? plan.identityIds[nearest] : null,
      nearestSimilarity: nearest >= 0 ? report.nearestIdentitySimilarity[r] : null,
      flagged: score < report.threshold,
      subjectKey: outlierKeyOf(names.get(block.identityIds[r])!, block.hashes[r]),
    });
  });
  return outliers;
}

/** Tests set FACESIFT_TEST_PAUSE_IN_TILE_WRITE=k to stop the k-th tile a process writes mid-write, and kill it there. */
let tilesWritten = 0;
async function pauseForTests() {
  const at = Number(process.env.FACESIFT_TEST_PAUSE_IN_TILE_WRITE);
  if (!at || ++tilesWritten !== at) return;
  process.stderr.write(`paused while writing a tile (FACESIFT_TEST_PAUSE_IN_TILE_WRITE)\n`);
  await new Promise(() => {});
}

export type TileOutcome = { kind: 'done'; tilesDone: number; tiles: number } | { kind: 'skipped' };

/**
 * Runs one tile: its pairs (exact: every pair scored in fp32), and on the diagonal its block's
 * outliers, written with its done mark in one transaction, so an attempt after a failed or killed
 * one starts from nothing, and one after a finished one does nothing. Counts one tile done on
 * `progress`. A failure names the tile.
 */
export async function runTile(runId: number, tile: number, progress: JobProgress | null): Promise<TileOutcome> {
  const run = await searchRunsRepository.find(runId);
  if (!run || run.status !== 'building') return { kind: 'skipped' };
  const claimed = await searchRunsRepository.startTile(runId, tile, thisRunner());
  if (!claimed) return { kind: 'skipped' };
  const started = process.hrtime.bigint();
  try {
    const context = await contextOf(run);
    const diagonal = claimed.rowBlock === claimed.colBlock;
    const cols = diagonal ? null : await loadBlock(context, claimed.colBlock);
    const rows = await loadBlock(context, claimed.rowBlock);
    const { set, range } = tileSet(rows, cols);
    const found = await findTilePairs(set, { threshold: run.threshold, dupThreshold: run.duplicateThreshold, maxPairs: run.maxPairs }, range);
    const outliers = diagonal ? await blockOutliers(context, rows) : [];
    const pairs = [pairRows('cross_identity', found.cross, set), pairRows('near_duplicate', found.nearDuplicates, set)];
    const written = await searchResultsRepository.writeTile(
      runId,
      tile,
      { pairs, outliers },
      { qualifying: found.qualifying, histogram: found.crossHistogram, seconds: seconds(started) },
      pauseForTests,
    );
    if (!written) return { kind: 'skipped' };
    await progress?.advance(1);
    await progress?.flush();
    return { kind: 'done', ...written };
  } catch (error) {
    const { blocks } = run.plan!;
    const span = (b: number) => `${blocks[b].start}-${blocks[b].start + blocks[b].rows}`;
    throw new Error(`tile ${tile} (rows ${span(claimed.rowBlock)} x ${span(claimed.colBlock)}): ${(error as Error).message}`, { cause: error });
  }
}

/**
 * What needs the whole run, once every tile is done: the pair cap (with the threshold that would
 * fit), images of identical content whatever their cosine, merge suggestions from the per-person
 * pair evidence and the centroids, decisions, indexes; then the switch. Null when the run is not
 * ready, is being finished by another process, or has ended.
 */
export async function finishSearch(runId: number, log: Log): Promise<SearchSummary | null> {
  return searchRunsRepository.whileFinishing(runId, async () => {
    const run = await searchRunsRepository.find(runId);
    if (!run || run.status !== 'building') return null;
    const tiles = await searchRunsRepository.tiles(runId);
    if (tiles.some((t) => t.state !== 'done')) return null;
    const started = process.hrtime.bigint();
    const context = await contextOf(run);
    const histogram = new Float64Array(201);
    let qualifying = 0;
    for (const t of tiles) {
      qualifying += Number(t.qualifying);
      t.histogram?.forEach((count, b) => (histogram[b] += count));
    }
    if (qualifying > run.maxPairs) throw tooManyPairs({ qualifying, crossHistogram: histogram }, run.threshold, run.maxPairs);

    const sameContent = await searchResultsRepository.sameContentWithoutPair(runId, run.model);
    if (qualifying + sameContent.length > run.maxPairs) throw new TooManyPairsError(run.threshold, run.maxPairs, qualifying + sameContent.length, null, null);
    if (sameContent.length) {
      const images = await searchResultsRepository.embeddingsOf([...new Set(sameContent.flat())], run.dim);
      const rowOf = new Map(Array.from(images.imageIds, (id, row) => [id, row]));
      const list: PairList = { i: new Int32Array(sameContent.length), j: new Int32Array(sameContent.length), sim: new Float32Array(sameContent.length) };
      sameContent.forEach(([a, b], p) => {
        const [i, j] = [rowOf.get(a)!, rowOf.get(b)!];
        let s = 0;
        for (let k = 0; k < run.dim; k++) s += images.vectors[i * run.dim + k] * images.vectors[j * run.dim + k];
        [list.i[p], list.j[p], list.sim[p]] = [i, j, s];
      });
      const set: Block = { ...images, labels: new Int32Array(images.imageIds.length), pathBytes: images.paths.map((path) => Buffer.from(path)) };
      await searchResultsRepository.addPairs(runId, [pairRows('near_duplicate', list, set)]);
    }

    const evidence = await searchResultsRepository.identityPairEvidence(runId);
    const label = (identityId: number) => context.labelOf.get(identityId)!;
    const merges = rankByCentroids(
      evidence.map((e) => ({
        a: label(e.identityAId),
        b: label(e.identityBId),
        centroidSimilarity: 0,
        pairCount: e.pairCount,
        maxSimilarity: e.maxSimilarity,
        meanSimilarity: e.meanSimilarity,
      })),
      context.centroids,
      run.dim,
    );
    const identityOf = (l: number) => context.plan.identityIds[l];
    const name = (l: number) => context.names.get(identityOf(l))!;
    await searchResultsRepository.writeIdentityPairs(
      runId,
      merges.map((pair, position) => {
        const [a, b] = Buffer.compare(Buffer.from(name(pair.a)), Buffer.from(name(pair.b))) < 0 ? [pair.a, pair.b] : [pair.b, pair.a];
        return {
          identityAId: identityOf(a),
          identityBId: identityOf(b),
          centroidSimilarity: pair.centroidSimilarity,
          pairCount: pair.pairCount,
          maxSimilarity: pair.maxSimilarity,
          meanSimilarity: pair.meanSimilarity,
          score: merges.length - position,
          pairKey: identityPairKeyOf(name(a), name(b)),
        };
      }),
    );

    const mark = await searchResultsRepository.prepareForReaders(runId);
    const counts = await searchResultsRepository.pairCounts(runId);
    const statusCounts: Record<string, number> = {};
    const kindCounts: Record<string, number> = {};
    for (const { kind, status, n } of counts) {
      statusCounts[status] = (statusCounts[status] ?? 0) + n;
      kindCounts[kind] = (kindCounts[kind] ?? 0) + n;
    }
    const summary: SearchSummary = {
      images: run.rows,
      identities: context.plan.identityIds.length,
      threshold: run.threshold,
      duplicateThreshold: run.duplicateThreshold,
      crossIdentityPairs: kindCounts.cross_identity ?? 0,
      nearDuplicates: kindCounts.near_duplicate ?? 0,
      identityPairs: merges.length,
      flaggedOutliers: await searchResultsRepository.flaggedOutliers(runId),
      seconds: { load: 0, search: tiles.reduce((sum, t) => sum + (t.seconds ?? 0), 0), write: 0 },
      runId,
      tiles: tiles.length,
    };
    summary.seconds.write = seconds(started);
    if (!(await switchWhenReadersLetGo(runId, mark, statusCounts, summary))) return null;
    await searchRunsRepository.dropOlderRuns();
    // verdicts given on earlier runs explain this run's candidates too: found again or found anew
    await rebuildReview();
    log(
      `search run ${runId} is current: ${summary.crossIdentityPairs} cross-identity pairs >= ${run.threshold}, ${summary.nearDuplicates} near-duplicates, ` +
        `${summary.identityPairs} merge suggestions, ${summary.flaggedOutliers} outliers (finished in ${summary.seconds.write.toFixed(1)} s)`,
    );
    return summary;
  });
}

async function switchWhenReadersLetGo(runId: number, mark: number, statusCounts: Record<string, number>, summary: SearchSummary): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await searchRunsRepository.switchTo(runId, mark, statusCounts, summary);
    } catch (error) {
      if (!isLockTimeout(error) || attempt >= 120) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * Math.min(attempt, 8)));
    }
  }
}

/** The cap's error as the API answers it: 400 with the pair count and the threshold that would fit. */
export function capError(error: TooManyPairsError) {
  return badRequest(error.message, { pairCount: error.pairCount, suggestedThreshold: error.suggestedThreshold });
}

/**
 * The whole search in this process, one tile after another: the plan, tiles and finish that a
 * search job runs (see lib/services/job-kinds/search.ts), for callers that hold their own job row.
 */
export async function runSearchInProcess(progress: JobProgress, params: SearchJobParams, log: Log): Promise<SearchSummary> {
  const started = process.hrtime.bigint();
  const run = await planSearch(progress.jobId, params, progress, log);
  const load = seconds(started);
  try {
    for (let tile = 0; tile < run.tiles; tile++) await runTile(run.id, tile, progress);
    const summary = await finishSearch(run.id, log);
    if (!summary) throw new Error(`search run ${run.id} was ended by another process`);
    summary.seconds.load = load;
    return summary;
  } catch (error) {
    await searchRunsRepository.fail(run.id, (error as Error).message);
    if (error instanceof TooManyPairsError) throw capError(error);
    throw error;
  }
}
