// The whole `facesift search` at the seed's scale — loading embeddings from Postgres, the exact
// cross-identity search, outliers and merge suggestions, and writing every result in one
// transaction — next to the raw faiss-node reference (IndexFlatIP, k=64, batches) on the same
// vectors, measured in the same run. Run: npx tsx tests/bench/search.ts [--images 57637] [--persons 1291]
import { parseArgs } from 'node:util';
import { closeDb, getPool } from '@/lib/db';
import { jobsRepository } from '@/lib/repositories/jobs';
import { JobProgress } from '@/lib/services/job-progress';
import { runSearch } from '@/lib/services/search';
import { faissReferenceSearch } from './faiss-reference';
import { syntheticDatabase } from './synthetic-db';

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
    const { rows } = await getPool().query(`SELECT count(*)::int AS n FROM "CandidatePair" WHERE kind = 'cross_identity'`);

    console.log(`${images} embeddings x ${dim} dims, ${persons} persons, threshold ${threshold}`);
    console.log(`whole search:            ${whole.toFixed(2)} s (load ${summary.seconds.load.toFixed(2)}, find ${summary.seconds.search.toFixed(2)}, write ${summary.seconds.write.toFixed(2)})`);
    console.log(`  found ${summary.crossIdentityPairs} cross-identity pairs, ${summary.nearDuplicates} near-duplicates, ${summary.identityPairs} merge suggestions, ${summary.flaggedOutliers} outliers`);
    console.log(`raw faiss-node IndexFlatIP k=64 search: ${reference.searchSeconds.toFixed(2)} s`);
    console.log(`ratio whole search / raw faiss: ${(whole / reference.searchSeconds).toFixed(2)} (target <= 1.5)`);
    console.log(`pairs written per second: ${Math.round(written / summary.seconds.write).toLocaleString('en')} (target >= 100,000)`);
    console.log(`peak memory (RSS): ${peakMb.toFixed(0)} MB during the search, ${(rssBefore / 1048576).toFixed(0)} MB before it (target < 1,500 MB)`);
    const stored = rows[0].n;
    const missing = [...reference.pairs].filter((key) => key >= 0).length > stored ? 'MISSING PAIRS' : 'ok';
    console.log(`cross-check: faiss saw ${reference.pairs.size} pairs >= T in top-64 lists; ${stored} stored (${missing})`);
  } finally {
    await closeDb();
    await database.drop();
  }
}

void main();
