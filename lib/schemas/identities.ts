import { z } from 'zod';
import { MAX_NAME, text } from '@/lib/schemas/primitives';

/** GET /api/identities: people whose folder name starts with `q` (case-insensitive), for pickers. */
export const listIdentitiesSchema = z.strictObject({
  q: text(200, 'q').default(''),
  limit: z.coerce.number().int().min(1).max(500).default(20),
});
export type ListIdentitiesQuery = z.infer<typeof listIdentitiesSchema>;

/** GET /api/identities/[id] and /api/identities/by-name/[name]: `limit` caps the images (context strips). */
export const identityImagesSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type IdentityImagesQuery = z.infer<typeof identityImagesSchema>;

/** GET /api/identities/by-name/[name]: a person folder name. */
export const identityNameSchema = text(MAX_NAME, 'a person folder name').min(1);
