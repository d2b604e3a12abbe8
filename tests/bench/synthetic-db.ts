// A throwaway database holding a synthetic dataset as a scan would leave it: people, images and
// their embeddings (lib/similarity/synthetic.ts), ready for a search.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { getPool } from '@/lib/db';
import { settingsRepository } from '@/lib/repositories/settings';
import { generateSyntheticDataset } from '@/lib/similarity/synthetic';
import { createTestDatabase } from '../support/database';

async function copy(sql: string, lines: Iterable<string>) {
  const client = await getPool().connect();
  try {
    await pipeline(Readable.from(lines), client.query(copyFrom(sql)));
  } finally {
    client.release();
  }
}

export async function syntheticDatabase(prefix: string, images: number, persons: number) {
  const database = await createTestDatabase(prefix);
  process.env.DATABASE_URL = database.url;
  const data = generateSyntheticDataset({ persons, images, seed: 42 });
  const { vectors, dim, labels, identityNames } = data;
  await copy(
    'COPY "Identity" (id, name) FROM STDIN',
    identityNames.map((name, id) => `${id + 1}\t${name}\n`),
  );
  await copy(
    'COPY "Image" (id, "identityId", path, "contentHash", size, status, "embeddedAt", "updatedAt") FROM STDIN',
    (function* () {
      for (let r = 0; r < images; r++) {
        yield `${r + 1}\t${labels[r] + 1}\t${identityNames[labels[r]]}/img_${r}.png\t${randomBytes(32).toString('hex')}\t20000\tok\tnow\tnow\n`;
      }
    })(),
  );
  await copy(
    'COPY "Embedding" ("imageId", model, dim, vector, "contentHash") FROM STDIN',
    (function* () {
      for (let r = 0; r < images; r++) {
        const bytes = Buffer.from(vectors.buffer, vectors.byteOffset + r * dim * 4, dim * 4);
        yield `${r + 1}\tdefault\t${dim}\t\\\\x${bytes.toString('hex')}\t-\n`;
      }
    })(),
  );
  await settingsRepository.update({ datasetRoot: '/bench', model: 'default' });
  // A scan finishes long before a search starts: the search is not timed against the flush and
  // autovacuum of what this just loaded.
  await getPool().query('VACUUM ANALYZE');
  await getPool().query('CHECKPOINT');
  return { database, data };
}
