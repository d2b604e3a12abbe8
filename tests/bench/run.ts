// `npm run bench`: every benchmark, each printing its figures next to the peer it is measured
// against in the same run (`npm run bench -- scan search`: only those). Run one alone, with its own
// flags, as `npx tsx tests/bench/<name>.ts`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nativeSimilarity } from '@/lib/similarity/native';

const benches = [
  ['scan', 'ingestion: whole scan vs raw ONNX inference (1,000 images)', []],
  ['search', 'search at full dataset scale: whole search vs raw faiss-node (57,637 x 512)', []],
  ['search-tiles', 'tiled search at full dataset scale: one process vs queued tiles on 1 and 2 workers (57,637 x 512)', []],
  ['api-load', "API under load: 1,000,000 pairs, 10 connections, facesift's own Postgres, without and during a search write", ['--embedded']],
  ['api-load', 'API under load: the same on the Postgres at DATABASE_URL (or the machine default)', []],
] as const;

/** What produced the figures: the CPU, the instruction sets it offers, and the similarity kernel build in use. */
function machine(): string {
  const flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync('/proc/cpuinfo', { encoding: 'utf8', flag: 'r' }))?.[1].split(' ') ?? [];
  const isa = ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16'].filter((flag) => flags.includes(flag));
  let kernel: string;
  try {
    const { active, available } = nativeSimilarity().kernels();
    kernel = `${active} (of ${available.join(', ')})`;
  } catch (error) {
    kernel = `unavailable: ${(error as Error).message}`;
  }
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} CPUs (${isa.join(' ') || 'no AVX'}); similarity kernel ${kernel}; ONNX Runtime CPU provider; Node ${process.version}`;
}

console.log(`machine: ${machine()}`);
let failed = 0;
const only = process.argv.slice(2);
const unknown = only.filter((name) => !benches.some(([known]) => known === name));
if (unknown.length) {
  console.error(`no benchmark named ${unknown.join(', ')} (there are: ${[...new Set(benches.map(([name]) => name))].join(', ')})`);
  process.exit(2);
}
for (const [name, title, args] of benches.filter(([name]) => only.length === 0 || only.includes(name))) {
  console.log(`\n=== ${title} ===`);
  const result = spawnSync('npx', ['--no-install', 'tsx', path.join(__dirname, `${name}.ts`), ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
