import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { z } from 'zod';
import {
  healthSchema,
  identityPairDetailSchema,
  identityPairItemSchema,
  identityRecordSchema,
  identityWithImagesSchema,
  jobDetailSchema,
  jobViewSchema,
  outlierItemSchema,
  pageSchema,
  pairDetailSchema,
  pairItemSchema,
  reviewProgressSchema,
  settingsViewSchema,
  userViewSchema,
} from '@/lib/schemas/responses';
import { cli } from '../support/e2e-global-setup';

/**
 * The JSON the API answers is a contract with scripts: each answer must hold exactly the fields of
 * its response schema (strict: a renamed or dropped field fails, and so does one added without
 * the schema knowing).
 */
describe('API answers keep their shape', () => {
  const env = () => ({ DATABASE_URL: inject('e2eDatabaseUrl'), FACESIFT_HOME: inject('e2eHome') });
  let tokens: Record<'curator' | 'admin', string>;
  beforeAll(() => {
    tokens = { curator: cli(['token', 'curator'], env()).trim(), admin: cli(['token', 'admin'], env()).trim() };
  });

  async function answer(path: string, as: 'curator' | 'admin' = 'curator') {
    const response = await fetch(`${inject('baseUrl')}${path}`, { headers: { authorization: `Bearer ${tokens[as]}` } });
    expect(response.status, path).toBe(200);
    return response.json();
  }

  function conforms(path: string, schema: z.ZodType, value: unknown) {
    const result = schema.safeParse(value);
    expect(result.success ? [] : result.error.issues.map((issue) => `${path} ${issue.path.join('.')}: ${issue.message}`)).toEqual([]);
  }

  it('answers lists, details and summaries with the documented fields', async () => {
    const pairs = await answer('/api/pairs');
    conforms('/api/pairs', pageSchema(pairItemSchema), pairs);
    conforms('/api/pairs/[id]', pairDetailSchema, await answer(`/api/pairs/${pairs.items[0].id}`));
    const identityPairs = await answer('/api/identity-pairs');
    conforms('/api/identity-pairs', pageSchema(identityPairItemSchema), identityPairs);
    const identityPair = await answer(`/api/identity-pairs/${identityPairs.items[0].id}`);
    conforms('/api/identity-pairs/[id]', identityPairDetailSchema, identityPair);
    conforms('/api/outliers', pageSchema(outlierItemSchema), await answer('/api/outliers?kind=all'));
    const people = await answer('/api/identities');
    conforms('/api/identities', pageSchema(identityRecordSchema).omit({ nextCursor: true }), people);
    conforms('/api/identities/[id]', identityWithImagesSchema, await answer(`/api/identities/${people.items[0].id}?limit=3`));
    conforms('/api/identities/by-name/[name]', identityWithImagesSchema, await answer(`/api/identities/by-name/${encodeURIComponent(people.items[0].name)}`));
    conforms('/api/progress', reviewProgressSchema, await answer('/api/progress'));
    const jobs = await answer('/api/jobs', 'admin');
    conforms('/api/jobs', pageSchema(jobViewSchema).omit({ nextCursor: true }), jobs);
    conforms('/api/jobs/[id]', jobDetailSchema, await answer(`/api/jobs/${jobs.items[0].id}`, 'admin'));
    conforms('/api/settings', settingsViewSchema, await answer('/api/settings', 'admin'));
    conforms('/api/users', pageSchema(userViewSchema).omit({ nextCursor: true }), await answer('/api/users', 'admin'));
    conforms('/api/health', healthSchema, await answer('/api/health'));
  });
});
