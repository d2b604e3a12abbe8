// Search-core benchmark at full dataset scale: our exact cross-identity search against the raw
// faiss-node reference (IndexFlatIP, exhaustive k=64 search in batches) on the same vectors.
// Run: npx tsx tests/bench/search-core.ts [--images 57637] [--persons 1291] [--threshold 0.4] [--seed 42]
// Thread counts come from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS at process start.
import { parseArgs } from 'node:util';
import { findCandidatePairs, findOutliers, identityCentroids, nativeSimilarity, rankIdentityPairs } from '@/lib/similarity';
import { generateSyntheticDataset } from '@/lib/similarity/synthetic';
import { faissReferenceSearch, REFERENCE_BATCH, REFERENCE_K } from './faiss-reference';

interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed<T>(run: () => T | Promise<T>): Promise<[T, Timing]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await run();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return [result, { wallMs, cpuMs: (used.user + used.system) / 1000 }];
}

const seconds = (t: Timing) => `${(t.wallMs / 1000).toFixed(2)} s wall, ${(t.cpuMs / 1000).toFixed(2)} s CPU`;
const peakRssMb = () => process.resourceUsage().maxRSS / 1024;

async function main() {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '57637' },
      persons: { type: 'string', default: '1291' },
      threshold: { type: 'string', default: '0.4' },
      seed: { type: 'string', default: '42' },
    },
  });
  const images = Number(values.images);
  const persons = Number(values.persons);
  const threshold = Number(values.threshold);
  const native = nativeSimilarity();
  console.log(
    `${images} x 512 embeddings, ${persons} persons, threshold ${threshold}; kernels ${native.kernels().active}, ` +
      `${native.threads} threads (OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? 'unset'}, ` +
      `OPENBLAS_NUM_THREADS=${process.env.OPENBLAS_NUM_THREADS ?? 'unset'}, OPENBLAS_CORETYPE=${process.env.OPENBLAS_CORETYPE ?? 'unset'})`,
  );

  const [data, generation] = await timed(() => generateSyntheticDataset({ persons, images, seed: Number(values.seed) }));
  console.log(`synthetic data:          ${seconds(generation)}`);

  const [found, ours] = await timed(() => findCandidatePairs(data, { threshold, dupThreshold: 0.95 }));
  console.log(
    `ours, exact search:      ${seconds(ours)}  → ${found.cross.i.length} cross-identity pairs, ` + `${found.nearDuplicates.i.length} near-duplicates`,
  );
  const [centroids, centroidTime] = await timed(() => identityCentroids(data));
  const [outliers, outlierTime] = await timed(() => findOutliers(data, { centroids }));
  const [identityPairs, identityTime] = await timed(() => rankIdentityPairs(data, found.cross, { centroids }));
  console.log(`centroids:               ${seconds(centroidTime)}`);
  console.log(`outliers:                ${seconds(outlierTime)}  → ${outliers.flagged.length} flagged`);
  console.log(`identity pairs:          ${seconds(identityTime)}  → ${identityPairs.length} person pairs`);
  const oursPeak = peakRssMb();
  console.log(`peak RSS after ours:     ${oursPeak.toFixed(0)} MB`);

  const { searchSeconds, searchCpuSeconds, pairs: reference } = faissReferenceSearch(data.vectors, data.dim, data.labels, threshold);
  const searchTime = { wallMs: searchSeconds * 1000, cpuMs: searchCpuSeconds * 1000 };
  console.log(`faiss-node IndexFlatIP:  search k=${REFERENCE_K} in batches of ${REFERENCE_BATCH}: ${seconds(searchTime)} (add excluded)`);

  const ourKeys = new Set<number>();
  for (let p = 0; p < found.cross.i.length; p++) ourKeys.add(found.cross.i[p] * images + found.cross.j[p]);
  let missing = 0;
  for (const key of reference) if (!ourKeys.has(key)) missing++;
  console.log(
    `cross-check:             ${reference.size} reference pairs >= T among each image's top ${REFERENCE_K}; ${missing} missing from ours ` +
      `(ours has ${ourKeys.size - (reference.size - missing)} more: rows with over ${REFERENCE_K} neighbours >= T)`,
  );

  const ratio = ours.wallMs / searchTime.wallMs;
  const cpuRatio = ours.cpuMs / searchTime.cpuMs;
  console.log(
    `ratio ours / reference search: ${ratio.toFixed(2)} wall, ${cpuRatio.toFixed(2)} CPU (target <= 1.5)` + `; peak RSS overall ${peakRssMb().toFixed(0)} MB`,
  );
  if (missing > 0) process.exitCode = 1;
}

void main();
