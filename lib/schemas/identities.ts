import { z } from 'zod';

/** GET /api/identities: people whose folder name starts with `q` (case-insensitive), for pickers. */
export const listIdentitiesSchema = z.strictObject({
  q: z.string().max(200).default(''),
  limit: z.coerce.number().int().min(1).max(500).default(20),
});
export type ListIdentitiesQuery = z.infer<typeof listIdentitiesSchema>;

/** GET /api/identities/[id] and /api/identities/by-name/[name]: `limit` caps the images (context strips). */
export const identityImagesSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type IdentityImagesQuery = z.infer<typeof identityImagesSchema>;
