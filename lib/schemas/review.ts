import { z } from 'zod';
import { identityPairDecisionSchema, outlierDecisionSchema, pairDecisionSchema } from '@/lib/schemas/candidates';
import type { IdentityPairItem, OutlierItem, PairItem } from '@/lib/schemas/responses';

export type { ResolvedBy } from '@/lib/schemas/responses';

export interface FindingView {
  kind: 'split' | 'misfiled' | 'duplicate' | 'standout' | 'lookalike';
  folders: string[];
  /** open candidates a verdict on it would settle besides the one decided */
  evidence: number;
  detail: Record<string, unknown>;
}

/** One queue entry: `item` is what the item's own list returns (GET /api/pairs, /api/identity-pairs, /api/outliers). */
export type ReviewEntry =
  | { type: 'pair'; item: PairItem; finding: FindingView }
  | { type: 'identity_pair'; item: IdentityPairItem; finding: FindingView }
  | { type: 'outlier'; item: OutlierItem; finding: FindingView };

/** Open findings are counted up to this: beyond it the queue says "10,000+" rather than count them on every request. */
export const REMAINING_CAP = 10_001;

/** GET /api/review/next: the entry to decide, how many findings are open, and the one after it (to load ahead). */
export type ReviewNext =
  (ReviewEntry & { remaining: number; upcoming: ReviewEntry | null }) | { type: null; item: null; finding: null; remaining: number; upcoming: null };

export interface ReviewPreview {
  resolves: { pairs: number; identityPairs: number; outliers: number };
  /** "and 1,932 pairs between raj and raj koothrappali" */
  summary: string;
}

/** POST /api/review/preview: a verdict as its own decision route takes it, and what it is about. */
export const reviewPreviewSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('pair'), id: z.number().int().positive(), decision: pairDecisionSchema }),
  z.strictObject({ type: z.literal('identity_pair'), id: z.number().int().positive(), decision: identityPairDecisionSchema }),
  z.strictObject({ type: z.literal('outlier'), id: z.number().int().positive(), decision: outlierDecisionSchema }),
]);
export type ReviewPreviewInput = z.infer<typeof reviewPreviewSchema>;
