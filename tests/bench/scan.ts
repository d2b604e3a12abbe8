// The whole `facesift scan` — walking, reading, hashing, decoding, detection, alignment, inference
// and the database writes — next to the raw ONNX inference of the same models on the same images,
// measured in the same run (raw before and after the scan, averaged, as the machine is shared).
// Run: npx tsx tests/bench/scan.ts [--images 1000] [--mode detect|aligned]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { closeDb } from '@/lib/db';
import { createEmbedder, type EmbedMode } from '@/lib/embedding';
import { runScanInline } from '@/lib/services/jobs';
import { createTestDatabase, serverUrl } from '../support/database';
import { replicateSample } from './embed-core';

async function main() {
  const { values } = parseArgs({ options: { images: { type: 'string', default: '1000' }, mode: { type: 'string', default: 'both' } } });
  const modes: EmbedMode[] = values.mode === 'both' ? ['detect', 'aligned'] : [values.mode as EmbedMode];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-scan-bench-'));
  const images = await replicateSample({ count: Number(values.images), outDir: dir });
  // Each mode points DATABASE_URL at its own database, dropped after it: the next one is made on the same server.
  const server = serverUrl();
  try {
    for (const mode of modes) {
      const database = await createTestDatabase('facesift_bench', server);
      process.env.DATABASE_URL = database.url;
      try {
        const embedder = await createEmbedder({ mode });
        const inputs = () => images.map((image) => ({ key: image.relativePath, path: image.absolutePath }));
        await embedder.embedAll(inputs().slice(0, 64));
        const rawBefore = await embedder.measureRawInference(inputs());
        const started = performance.now();
        const { state } = await runScanInline(
          { root: dir, mode, force: false, search: false },
          () => {},
          () => {},
        );
        const scanSeconds = (performance.now() - started) / 1000;
        const rawAfter = await embedder.measureRawInference(inputs());
        await embedder.close();
        const rawSeconds = (rawBefore.seconds + rawAfter.seconds) / 2;
        const models = mode === 'aligned' ? 'recogniser' : 'detector + landmarks + recogniser';
        console.log(`\n--${mode}: ${images.length} images (${state.done} embedded or recorded, ${state.failed} unreadable)`);
        console.log(`  whole scan (with hashing and Postgres writes): ${(images.length / scanSeconds).toFixed(1)} img/s (${scanSeconds.toFixed(2)} s)`);
        console.log(`  raw ONNX inference (${models}):  ${(images.length / rawSeconds).toFixed(1)} img/s (${rawSeconds.toFixed(2)} s in run())`);
        console.log(`  ratio: ${((rawSeconds / scanSeconds) * 100).toFixed(1)} % of raw (target >= 85 %)`);
      } finally {
        await closeDb();
        await database.drop();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
