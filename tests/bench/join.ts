// The join alone at a real dataset's scale (57,637 x 512, 1,291 persons): facesift's int8 join
// against its own float32 join, faiss-node (IndexFlatIP, exhaustive k=64 in batches) and numpy's
// brute force (when python3 and numpy are there), all in one run on the same vectors; each path's effective rate against the
// peak of its own inner-loop instructions, measured by itself. With --million, a 1,000,000 x 512
// join instead, computed tile by tile through the range interface, each tile's time printed.
// Run: npx tsx tests/bench/join.ts [--images 57637] [--persons 1291] [--threshold 0.4] [--million]
// Thread counts come from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS at process start.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { nativeSimilarity, type PairRange } from '@/lib/similarity';
import type { RawPairs } from '@/lib/similarity/native';
import { generateSyntheticDataset } from '@/lib/similarity/synthetic';
import { faissReferenceSearch, REFERENCE_BATCH, REFERENCE_K } from './faiss-reference';
import { numpyBruteForce } from './numpy-reference';

const DUP_THRESHOLD = 0.95;

interface Timing {
  wall: number;
  cpu: number;
}

async function timed<T>(run: () => Promise<T> | T): Promise<[T, Timing]> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await run();
  const used = process.cpuUsage(cpu);
  return [result, { wall: (performance.now() - start) / 1000, cpu: (used.user + used.system) / 1e6 }];
}

const cpuModel = () => os.cpus()[0]?.model ?? 'unknown CPU';
const tera = (ops: number) => `${(ops / 1e12).toFixed(2)} TOP/s`;

function describeMachine() {
  const native = nativeSimilarity();
  const { active, available } = native.kernels();
  console.log(
    `CPU: ${cpuModel()}, ${os.cpus().length} logical CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`join paths this CPU runs: ${available.join(', ')}; default ${active}; ${native.threads} threads`);
  console.log(
    'rates "per CPU-second" divide by the CPU time the process got, times the thread count: what the threads would do ' +
      'with their cores to themselves (this machine may be shared)',
  );
}

/** One path's join with its figures; the path stays active afterwards. */
async function joinWith(pathName: string, vectors: Float32Array, dim: number, labels: Int32Array, threshold: number) {
  const native = nativeSimilarity();
  native.useKernels(pathName);
  const peak = native.peakOps(0.5);
  const [raw, time] = await timed(() => native.pairsAbove(vectors, dim, labels, threshold, DUP_THRESHOLD, 1e9));
  const n = labels.length;
  const ops = 2 * dim * ((n * (n - 1)) / 2);
  const perCpu = (ops / time.cpu) * native.threads;
  console.log(
    `${pathName.padEnd(16)} join ${time.wall.toFixed(2)} s wall, ${time.cpu.toFixed(2)} s CPU → ${raw.qualifying} pairs; ` +
      `effective ${tera(ops / time.wall)} wall, ${tera(perCpu)} per CPU-second; path peak ${tera(peak)} ` +
      `(${((100 * perCpu) / peak).toFixed(0)}% of it)`,
  );
  return { raw, time };
}

function samePairs(a: RawPairs, b: RawPairs): boolean {
  if (a.i.length !== b.i.length) return false;
  for (let p = 0; p < a.i.length; p++) if (a.i[p] !== b.i[p] || a.j[p] !== b.j[p] || a.sim[p] !== b.sim[p]) return false;
  return true;
}

async function datasetScale(images: number, persons: number, threshold: number) {
  const [data, generation] = await timed(() => generateSyntheticDataset({ persons, images, seed: 42 }));
  const { vectors, dim, labels } = data;
  console.log(
    `${images} x ${dim} synthetic embeddings, ${persons} persons (${generation.wall.toFixed(1)} s to generate); threshold ${threshold}, duplicates ${DUP_THRESHOLD}`,
  );
  const { available } = nativeSimilarity().kernels();
  const int8Path = available.find((name) => name.startsWith('int8-'))!;
  const floatPath = available.find((name) => name.startsWith('float32-'))!;
  const int8 = await joinWith(int8Path, vectors, dim, labels, threshold);
  const float32 = await joinWith(floatPath, vectors, dim, labels, threshold);
  nativeSimilarity().useKernels(available[0]);
  const identical = samePairs(int8.raw, float32.raw);
  console.log(`int8 and float32 joins: ${identical ? 'the same pairs, bit for bit' : 'DIFFERENT RESULTS'}`);

  const reference = faissReferenceSearch(vectors, dim, labels, threshold);
  console.log(
    `faiss-node IndexFlatIP  k=${REFERENCE_K} in batches of ${REFERENCE_BATCH}: ${reference.searchSeconds.toFixed(2)} s wall, ` +
      `${reference.searchCpuSeconds.toFixed(2)} s CPU (add excluded)`,
  );
  const cross = new Set<number>();
  for (let p = 0; p < int8.raw.i.length; p++) {
    if (labels[int8.raw.i[p]] !== labels[int8.raw.j[p]] && int8.raw.sim[p] >= Math.fround(threshold)) cross.add(int8.raw.i[p] * images + int8.raw.j[p]);
  }
  let missing = 0;
  for (const key of reference.pairs) if (!cross.has(key)) missing++;
  console.log(`cross-check with faiss: ${reference.pairs.size} pairs clearly above T in its top-${REFERENCE_K} lists, ${missing} missing from ours`);

  const numpy = numpyBruteForce(vectors, dim, labels, threshold);
  if (numpy) {
    console.log(
      `numpy brute force (float32 matmul, row blocks of 1024): ${numpy.wall.toFixed(2)} s wall, ${numpy.cpu.toFixed(2)} s CPU → ${numpy.pairs} cross pairs (ours ${cross.size})`,
    );
  } else {
    console.log('numpy brute force: skipped (no python3 with numpy)');
  }
  const ratio = (ours: number, peer: number) => (ours / peer).toFixed(3);
  console.log(
    `ratios, wall (CPU): int8 / float32 ${ratio(int8.time.wall, float32.time.wall)} (${ratio(int8.time.cpu, float32.time.cpu)}), ` +
      `int8 / faiss-node ${ratio(int8.time.wall, reference.searchSeconds)} (${ratio(int8.time.cpu, reference.searchCpuSeconds)})` +
      (numpy ? `, int8 / numpy ${ratio(int8.time.wall, numpy.wall)} (${ratio(int8.time.cpu, numpy.cpu)})` : ''),
  );
  if (!identical || missing > 0) process.exitCode = 1;
}

/** The 1M join, as the tiles a scaled-out search would hand to workers, in one process here. */
async function million(threshold: number, blocks: number) {
  const images = 1_000_000;
  const persons = Math.round(images / 44.6);
  const [data, generation] = await timed(() => generateSyntheticDataset({ persons, images, seed: 42 }));
  const { vectors, dim, labels } = data;
  const native = nativeSimilarity();
  console.log(
    `${images} x ${dim} synthetic embeddings, ${persons} persons (${generation.wall.toFixed(0)} s to generate); threshold ${threshold}; path ${native.kernels().active}`,
  );
  const edges = Array.from({ length: blocks + 1 }, (_, b) => Math.round((b * images) / blocks));
  let pairs = 0;
  let wall = 0;
  let cpu = 0;
  for (let r = 0; r < blocks; r++) {
    for (let c = r; c < blocks; c++) {
      const range: PairRange = { rowStart: edges[r], rowEnd: edges[r + 1], colStart: edges[c], colEnd: edges[c + 1] };
      const [raw, time] = await timed(() => native.pairsAbove(vectors, dim, labels, threshold, DUP_THRESHOLD, 10_000_000, range));
      pairs += raw.qualifying;
      wall += time.wall;
      cpu += time.cpu;
      console.log(`  tile rows ${r} x columns ${c}: ${time.wall.toFixed(1)} s wall, ${time.cpu.toFixed(1)} s CPU, ${raw.qualifying} pairs`);
    }
  }
  const ops = 2 * dim * ((images * (images - 1)) / 2);
  console.log(
    `1,000,000 x ${dim} join: ${wall.toFixed(1)} s wall (${(wall / 60).toFixed(1)} min), ${cpu.toFixed(1)} s CPU → ${pairs} pairs; ` +
      `effective ${tera(ops / wall)} wall, ${tera((ops / cpu) * native.threads)} per CPU-second`,
  );
}

async function main() {
  const { values } = parseArgs({
    options: {
      images: { type: 'string', default: '57637' },
      persons: { type: 'string', default: '1291' },
      threshold: { type: 'string' },
      million: { type: 'boolean', default: false },
      blocks: { type: 'string', default: '4' },
    },
  });
  describeMachine();
  if (values.million) await million(Number(values.threshold ?? 0.5), Number(values.blocks));
  else await datasetScale(Number(values.images), Number(values.persons), Number(values.threshold ?? 0.4));
}

void main();
