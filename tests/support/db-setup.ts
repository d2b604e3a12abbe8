import { afterAll, inject } from 'vitest';
import { closeDb } from '@/lib/db';
import { stopBoss } from '@/lib/queue/boss';

process.env.DATABASE_URL = inject('databaseUrl');

afterAll(async () => {
  await stopBoss({ graceful: false });
  await closeDb();
});
