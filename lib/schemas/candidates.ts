import { z } from 'zod';
import { cursorSchema, idParamSchema, idValueSchema, MAX_NAME, text } from '@/lib/schemas/primitives';

export { idParamSchema };

const similarity = z.coerce.number().min(-1).max(1);

const listBase = {
  status: z.string().optional(),
  identity: text(MAX_NAME, 'identity').min(1).optional(),
  minSimilarity: similarity.optional(),
  maxSimilarity: similarity.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: cursorSchema.optional(),
};

/** GET /api/pairs; unknown parameters are refused so a typo never silently widens a filter. */
export const listPairsSchema = z.strictObject({
  ...listBase,
  kind: z.enum(['cross_identity', 'near_duplicate']).optional(),
  status: z.enum(['open', 'mislabeled', 'duplicate', 'fine', 'decided', 'all']).default('all'),
  sort: z.enum(['similarity', '-similarity']).default('similarity'),
});
export type ListPairsQuery = z.infer<typeof listPairsSchema>;

export const listIdentityPairsSchema = z.strictObject({
  ...listBase,
  kind: z.literal('identity_pair').optional(),
  status: z.enum(['open', 'same', 'different', 'decided', 'all']).default('all'),
  sort: z.enum(['score', 'similarity', '-similarity']).default('score'),
});
export type ListIdentityPairsQuery = z.infer<typeof listIdentityPairsSchema>;

export const listOutliersSchema = z.strictObject({
  ...listBase,
  kind: z.enum(['flagged', 'all']).default('flagged'),
  status: z.enum(['open', 'mislabeled', 'fine', 'decided', 'all']).default('all'),
  sort: z.enum(['similarity', '-similarity', 'score']).default('score'),
});
export type ListOutliersQuery = z.infer<typeof listOutliersSchema>;

export const pairDecisionSchema = z
  .strictObject({
    verdict: z.enum(['mislabeled', 'duplicate', 'fine', 'open']),
    side: z.enum(['a', 'b', 'merge']).optional(),
    keep: z.enum(['a', 'b']).optional(),
    basedOn: idValueSchema.optional(),
  })
  .refine((d) => d.verdict !== 'mislabeled' || d.side, { message: 'side (a|b|merge) is required with mislabeled', path: ['side'] })
  .refine((d) => d.verdict !== 'duplicate' || d.keep, { message: 'keep (a|b) is required with duplicate', path: ['keep'] })
  .refine((d) => d.verdict === 'mislabeled' || !d.side, { message: 'side only goes with mislabeled', path: ['side'] })
  .refine((d) => d.verdict === 'duplicate' || !d.keep, { message: 'keep only goes with duplicate', path: ['keep'] });
export type PairDecisionInput = z.infer<typeof pairDecisionSchema>;

export const identityPairDecisionSchema = z
  .strictObject({
    verdict: z.enum(['same', 'different', 'open']),
    into: z.enum(['a', 'b']).optional(),
    basedOn: idValueSchema.optional(),
  })
  .refine((d) => d.verdict === 'same' || !d.into, { message: 'into only goes with same', path: ['into'] });
export type IdentityPairDecisionInput = z.infer<typeof identityPairDecisionSchema>;

export const outlierDecisionSchema = z
  .strictObject({
    verdict: z.enum(['mislabeled', 'fine', 'open']),
    toIdentity: text(MAX_NAME, 'toIdentity').min(1).nullable().optional(),
    basedOn: idValueSchema.optional(),
  })
  .refine((d) => d.verdict === 'mislabeled' || !d.toIdentity, { message: 'toIdentity only goes with mislabeled', path: ['toIdentity'] });
export type OutlierDecisionInput = z.infer<typeof outlierDecisionSchema>;
