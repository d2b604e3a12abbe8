// `npm run bench`: every benchmark, each printing its figures next to the peer it is measured
// against in the same run. Run one alone with `npx tsx tests/bench/<name>.ts --help`-style flags.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const benches = [
  ['scan', 'ingestion: whole scan vs raw ONNX inference (1,000 images)', []],
  ['join', 'the join at dataset scale: int8 vs float32 vs faiss-node vs numpy (57,637 x 512)', []],
  ['search', 'search at dataset scale: whole search vs raw faiss-node and numpy (57,637 x 512)', []],
  ['api-load', "API under load: 1,000,000 pairs, 10 connections, facesift's own Postgres", ['--embedded']],
  ['api-load', 'API under load: the same on the Postgres at DATABASE_URL (or the machine default)', []],
  ['join', 'a 1,000,000 x 512 synthetic join, tile by tile (long: minutes on 2 cores)', ['--million']],
] as const;

let failed = 0;
for (const [name, title, args] of benches) {
  console.log(`\n=== ${title} ===`);
  const result = spawnSync('npx', ['--no-install', 'tsx', path.join(__dirname, `${name}.ts`), ...args], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
