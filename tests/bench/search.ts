// The whole `facesift search` at a real dataset's scale — loading embeddings from Postgres, the exact
// cross-identity search, outliers and merge suggestions, and writing every result in one
// transaction — next to the raw faiss-node reference (IndexFlatIP, k=64, batches) and numpy's brute
// force (when python3 has numpy) on the same vectors, measured in the same run. The stored pairs
// must be exactly the float32 join's (exit status 1 on any missing or extra pair).
// Run: npx tsx tests/bench/search.ts [--images 57637] [--persons 1291] [--threshold 0.4]
import { parseArgs } from 'node:util';
import { closeDb, getPool } from '@/lib/db';
import { jobsRepository } from '@/lib/repositories/jobs';
import { JobProgress } from '@/lib/services/job-progress';
import { runSearch } from '@/lib/services/search';
import { nativeSimilarity } from '@/lib/similarity';
import { faissReferenceSearch } from './faiss-reference';
import { numpyBruteForce } from './numpy-reference';
import { syntheticDatabase } from './synthetic-db';

/** Cross-identity pairs >= threshold from the float32 join (tested equal to brute force), as i * n + j keys. */
async function exactCrossPairs(vectors: Float32Array, dim: number, labels: Int32Array, threshold: number): Promise<Set<number>> {
  const native = nativeSimilarity();
  const { active, available } = native.kernels();
  native.useKernels(available.find((name) => name.startsWith('float32-'))!);
  try {
    const raw = await native.pairsAbove(vectors, dim, labels, threshold, Number.POSITIVE_INFINITY, 1e9);
    return new Set(Array.from(raw.i, (i, p) => i * labels.length + raw.j[p]));
  } finally {
    native.useKernels(active);
  }
}

async function main() {
  const { values } = parseArgs({
    options: { images: { type: 'string', default: '57637' }, persons: { type: 'string', default: '1291' }, threshold: { type: 'string', default: '0.4' } },
  });
  const images = Number(values.images);
  const persons = Number(values.persons);
  const threshold = Number(values.threshold);
  const { database, data } = await syntheticDatabase('facesift_bench', images, persons);
  try {
    const { vectors, dim, labels } = data;
    const job = await jobsRepository.create('search', {}, null);
    const rssBefore = process.memoryUsage().rss;

    const started = performance.now();
    const summary = await runSearch({ threshold }, new JobProgress(job.id), () => {});
    const whole = (performance.now() - started) / 1000;
    const peakMb = process.resourceUsage().maxRSS / 1024;
    const written = summary.crossIdentityPairs + summary.nearDuplicates;

    const reference = faissReferenceSearch(vectors, dim, labels, threshold);
    const numpy = numpyBruteForce(vectors, dim, labels, threshold);

    console.log(`${images} embeddings x ${dim} dims, ${persons} persons, threshold ${threshold}; join path ${nativeSimilarity().kernels().active}`);
    console.log(
      `whole search:            ${whole.toFixed(2)} s (load ${summary.seconds.load.toFixed(2)}, find ${summary.seconds.search.toFixed(2)}, write ${summary.seconds.write.toFixed(2)})`,
    );
    console.log(
      `  found ${summary.crossIdentityPairs} cross-identity pairs, ${summary.nearDuplicates} near-duplicates, ${summary.identityPairs} merge suggestions, ${summary.flaggedOutliers} outliers`,
    );
    console.log(`raw faiss-node IndexFlatIP k=64 search: ${reference.searchSeconds.toFixed(2)} s`);
    console.log(`ratio whole search / raw faiss: ${(whole / reference.searchSeconds).toFixed(2)} (target <= 1.5)`);
    if (numpy) console.log(`numpy brute force: ${numpy.wall.toFixed(2)} s; ratio whole search / numpy: ${(whole / numpy.wall).toFixed(3)}`);
    else console.log('numpy brute force: skipped (no python3 with numpy)');
    console.log(`pairs written per second: ${Math.round(written / summary.seconds.write).toLocaleString('en')} (target >= 100,000)`);
    console.log(`peak memory (RSS): ${peakMb.toFixed(0)} MB during the search, ${(rssBefore / 1048576).toFixed(0)} MB before it (target < 1,500 MB)`);

    // Image ids are rows + 1 (as loaded above); stored pairs are ordered by path, so take min/max.
    const { rows: storedRows } = await getPool().query<{ a: number; b: number }>(
      `SELECT "imageAId" AS a, "imageBId" AS b FROM "CandidatePair" WHERE kind = 'cross_identity'`,
    );
    const stored = new Set(storedRows.map(({ a, b }) => (Math.min(a, b) - 1) * images + Math.max(a, b) - 1));
    const exact = await exactCrossPairs(vectors, dim, labels, threshold);
    const missing = [...exact].filter((key) => !stored.has(key)).length;
    const extra = [...stored].filter((key) => !exact.has(key)).length;
    const missedByUs = [...reference.pairs].filter((key) => !stored.has(key)).length;
    console.log(
      `cross-check: ${stored.size} stored; the float32 join has ${exact.size}: ${missing} missing, ${extra} extra; ` +
        `faiss saw ${reference.pairs.size} pairs clearly above T in its top-64 lists, ${missedByUs} of them not stored`,
    );
    if (missing > 0 || extra > 0 || missedByUs > 0 || stored.size !== summary.crossIdentityPairs) process.exitCode = 1;
  } finally {
    await closeDb();
    await database.drop();
  }
}

void main();
