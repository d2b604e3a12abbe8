import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// Prisma's native schema engine comes from a CDN that set-up cannot reach, so the CLI runs its
// Wasm engine through the pg adapter. Only developers use the CLI (client generation, new
// migration SQL); `facesift db migrate` applies the committed SQL itself (lib/db/migrate.ts).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  engine: 'js',
  experimental: { adapter: true },
  adapter: async () =>
    new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', allowExitOnIdle: true } as never),
});
