import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: root });

/** The import rules that broke on `source` placed at `file` (a path that need not exist). */
async function broken(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, file) });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

const restricted = expect.arrayContaining([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports/)]);

describe('the layering lint rule', () => {
  it.each([
    ['app/api/example/route.ts', "import { candidatesRepository } from '@/lib/repositories/candidates';"],
    ['app/(app)/example/page.tsx', "import type { PairItem } from '@/lib/repositories/candidates';"],
    ['components/example.tsx', "import { getPrisma } from '@/lib/db';"],
    ['components/example.tsx', "import type { Role } from '@/lib/generated/prisma/client';"],
    ['components/example.tsx', "import type { JobView } from '@/lib/services/job-views';"],
    ['app/api/example/route.ts', "import { enqueue } from '@/lib/queue/boss';"],
    ['app/api/example/route.ts', "import { walkDataset } from '../../../lib/dataset/walk';"],
    ['lib/cli/commands/example.ts', "import { jobsRepository } from '@/lib/repositories/jobs';"],
    ['workers/example.ts', "import { getPool } from '@/lib/db';"],
    ['lib/services/example.ts', "import pg from 'pg';"],
    ['lib/services/example.ts', "import { getPool } from '@/lib/db';"],
    ['lib/auth/example.ts', "import { PrismaClient } from '@/lib/generated/prisma/client';"],
    ['lib/repositories/example.ts', "import { forgetUsers } from '@/lib/auth/remembered-users';"],
    ['lib/repositories/example.ts', "import { getPair } from '@/lib/services/decisions';"],
    ['lib/dataset/example.ts', "import { badRequest } from '@/lib/errors';"],
    ['lib/embedding/example.ts', "import { NextResponse } from 'next/server';"],
    ['lib/similarity/example.ts', "import { imagesRepository } from '@/lib/repositories/images';"],
  ])('refuses %s importing: %s', async (file, source) => {
    expect(await broken(file, source)).toEqual(restricted);
  });

  it.each([
    [
      'app/api/example/route.ts',
      "import { route } from '@/lib/http';\nimport { listPairs } from '@/lib/services/candidates';\nexport const GET = route({ role: 'curator' }, () => listPairs);",
    ],
    ['components/example.tsx', "import type { PairItem } from '@/lib/schemas/responses';\nexport type Item = PairItem;"],
    ['app/(app)/example/page.tsx', "import { requirePageUser } from '@/lib/auth/page-user';\nexport default requirePageUser;"],
    [
      'lib/cli/commands/example.ts',
      "import { prepareDatabase } from '@/lib/db/connection';\nimport { closeDb } from '@/lib/db';\nexport const both = [prepareDatabase, closeDb];",
    ],
    [
      'lib/services/example.ts',
      "import type { Prisma } from '@/lib/generated/prisma/client';\nimport { jobsRepository } from '@/lib/repositories/jobs';\nexport type J = Prisma.JsonValue;\nexport const r = jobsRepository;",
    ],
    [
      'lib/repositories/example.ts',
      "import { getPool } from '@/lib/db';\nimport type { PairItem } from '@/lib/schemas/responses';\nexport type P = PairItem;\nexport const pool = getPool;",
    ],
    ['lib/dataset/example.ts', "import { projectRoot } from '@/lib/paths';\nexport const here = projectRoot;"],
  ])('lets %s import what its layer may', async (file, source) => {
    expect(await broken(file, source)).toEqual([]);
  });
});
