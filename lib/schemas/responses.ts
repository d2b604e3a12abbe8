import { z } from 'zod';

/**
 * The API's answers and what pages hand to components: the wire contract. Repositories and
 * services fill these types; app/ and components/ read them and nothing else, so a change to a
 * query or a row type cannot quietly change what a client receives. The schemas are strict, so the
 * API tests can check an answer holds exactly these fields: add fields, never rename them.
 */

const int = z.number().int();
const nullableString = z.string().nullable();

export const roleSchema = z.enum(['admin', 'curator']);
export type Role = z.infer<typeof roleSchema>;
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Who a request or page runs as. */
export const sessionUserSchema = z.strictObject({ id: int, name: z.string(), role: roleSchema });
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** A keyset-paginated list: pass `nextCursor` back as `cursor` for the next page; null on the last. */
export const pageSchema = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), nextCursor: nullableString });
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const imageRefSchema = z.strictObject({
  imageId: int,
  identity: z.string(),
  path: z.string(),
  /** content hash: names the bytes, so a page can ask for the image under a URL cached for good */
  hash: z.string(),
});
export type ImageRef = z.infer<typeof imageRefSchema>;

export const pairItemSchema = z.strictObject({
  id: int,
  kind: z.enum(['cross_identity', 'near_duplicate']),
  similarity: z.number(),
  status: z.string(),
  a: imageRefSchema,
  b: imageRefSchema,
});
export type PairItem = z.infer<typeof pairItemSchema>;

export const identityPairItemSchema = z.strictObject({
  id: int,
  a: z.string(),
  b: z.string(),
  centroidSimilarity: z.number(),
  pairCount: int,
  maxSimilarity: z.number(),
  meanSimilarity: z.number(),
  score: z.number(),
  status: z.string(),
});
export type IdentityPairItem = z.infer<typeof identityPairItemSchema>;

export const outlierItemSchema = z.strictObject({
  id: int,
  imageId: int,
  identity: z.string(),
  path: z.string(),
  score: z.number(),
  neighbourScore: z.number().nullable(),
  nearestIdentity: nullableString,
  nearestSimilarity: z.number().nullable(),
  flagged: z.boolean(),
  status: z.string(),
});
export type OutlierItem = z.infer<typeof outlierItemSchema>;

/** A decision as the API shows it: no internal keys, names instead of ids. */
export const decisionViewSchema = z.strictObject({
  id: int,
  verdict: z.string(),
  previousVerdict: z.string(),
  side: nullableString,
  misfiledHash: nullableString,
  keepHash: nullableString,
  dropHash: nullableString,
  fromIdentity: nullableString,
  toIdentity: nullableString,
  intoIdentity: nullableString,
  decidedBy: z.string(),
  decidedAt: z.string(),
});
export type DecisionView = z.infer<typeof decisionViewSchema>;

/** A candidate's derived verdict and the curator's verdict it comes from. */
export const resolvedBySchema = z.strictObject({
  verdict: z.string(),
  /** "resolved by alice: raj and raj koothrappali are the same person" */
  reason: z.string(),
  decision: decisionViewSchema.nullable(),
});
export type ResolvedBy = z.infer<typeof resolvedBySchema>;

/** GET /api/pairs/[id] */
export const pairDetailSchema = pairItemSchema.extend({ decisions: z.array(decisionViewSchema), resolvedBy: resolvedBySchema.nullable() });
export type PairDetail = z.infer<typeof pairDetailSchema>;

/** GET /api/identity-pairs/[id] */
export const identityPairDetailSchema = z.strictObject({
  pair: z.strictObject({
    id: int,
    identityAId: int,
    identityBId: int,
    nameA: z.string(),
    nameB: z.string(),
    centroidSimilarity: z.number(),
    pairCount: int,
    maxSimilarity: z.number(),
    meanSimilarity: z.number(),
    score: z.number(),
    pairKey: z.string(),
    status: z.string(),
    decisionId: int.nullable(),
    /** The search run this row belongs to. */
    runId: int,
    createdAt: z.string(),
  }),
  decisions: z.array(decisionViewSchema),
  resolvedBy: resolvedBySchema.nullable(),
});
export type IdentityPairDetail = z.infer<typeof identityPairDetailSchema>;

export const identityRecordSchema = z.strictObject({ id: int, name: z.string(), gone: z.boolean(), imageCount: int, flaggedOutliers: int });
export type IdentityRecord = z.infer<typeof identityRecordSchema>;

export const outlierMarkSchema = z.strictObject({ id: int, score: z.number(), flagged: z.boolean(), status: z.string(), nearestIdentity: nullableString });
export type OutlierMark = z.infer<typeof outlierMarkSchema>;

export const galleryImageSchema = z.strictObject({
  id: int,
  path: z.string(),
  hash: z.string(),
  status: z.string(),
  reason: nullableString,
  width: int.nullable(),
  height: int.nullable(),
  outlier: outlierMarkSchema.nullable(),
});
export type GalleryImage = z.infer<typeof galleryImageSchema>;

/** Enough to draw a thumbnail: the id and the content hash that versions its URL. */
export const imageThumbSchema = z.strictObject({ id: int, hash: z.string(), path: z.string() });
export type ImageThumb = z.infer<typeof imageThumbSchema>;

export const pairThumbSchema = z.strictObject({ id: int, similarity: z.number(), status: z.string(), a: imageThumbSchema, b: imageThumbSchema });
export type PairThumb = z.infer<typeof pairThumbSchema>;

/** GET /api/identities/[id] and /api/identities/by-name/[name] */
export const identityWithImagesSchema = identityRecordSchema.extend({ images: z.array(galleryImageSchema) });
export type IdentityWithImages = z.infer<typeof identityWithImagesSchema>;

/** A merge suggestion with everything a curator weighs: both galleries and the most similar pairs. */
export const mergeSuggestionSchema = z.strictObject({
  id: int,
  status: z.string(),
  evidence: z.strictObject({ centroidSimilarity: z.number(), pairCount: int, maxSimilarity: z.number(), meanSimilarity: z.number(), score: z.number() }),
  a: identityWithImagesSchema,
  b: identityWithImagesSchema,
  strongest: z.array(pairThumbSchema),
  decisions: z.array(decisionViewSchema),
});
export type MergeSuggestion = z.infer<typeof mergeSuggestionSchema>;

/** An outlier with its history and a few faces of its own folder and of the person it looks most like. */
export const outlierCardSchema = outlierItemSchema.extend({
  hash: z.string(),
  identityId: int,
  nearestIdentityId: int.nullable(),
  decisions: z.array(decisionViewSchema),
  own: z.array(imageThumbSchema),
  nearest: z.array(imageThumbSchema),
});
export type OutlierCard = z.infer<typeof outlierCardSchema>;

/** GET /api/progress */
export const reviewProgressSchema = z.strictObject({
  pairs: z.strictObject({ total: int, open: int, mislabeled: int, duplicate: int, fine: int }),
  reviewers: z.array(z.strictObject({ name: z.string(), decisions: int, last: z.string() })),
});
export type ReviewProgress = z.infer<typeof reviewProgressSchema>;

/** The dashboard's counts. */
export const datasetSummarySchema = z.strictObject({
  datasetRoot: nullableString,
  identities: int,
  images: int,
  embedded: int,
  problems: int,
  openPairs: int,
  decidedPairs: int,
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

export const jobErrorSchema = z.strictObject({ path: z.string().optional(), reason: z.string() });
export type JobError = z.infer<typeof jobErrorSchema>;

const jobAttemptViewSchema = z.strictObject({ attempt: int, runner: nullableString, reason: z.string(), at: z.string() });
export type JobAttemptView = z.infer<typeof jobAttemptViewSchema>;

const jobChildrenViewSchema = z.strictObject({
  kind: nullableString,
  total: int,
  queued: int,
  running: int,
  done: int,
  failed: int,
  cancelled: int,
});
export type JobChildrenView = z.infer<typeof jobChildrenViewSchema>;

const jobWorkerViewSchema = z.strictObject({
  /** host:pid */
  runner: z.string(),
  heartbeatAt: nullableString,
  /** Items (images, pairs, rows: the kind's unit) it counted. */
  items: int,
  seconds: z.number(),
  /** Items per second while it ran; null before it counted any. */
  rate: z.number().nullable(),
});
export type JobWorkerView = z.infer<typeof jobWorkerViewSchema>;

/**
 * What the admin pages and scripts see of a job: its row (dates as ISO strings; errorCount is how
 * many per-item failures are stored, the latest 500, which the detail lists) and how fast it goes.
 */
export const jobViewSchema = z.strictObject({
  id: z.string(),
  kind: z.string(),
  status: z.enum(JOB_STATUSES),
  params: z.record(z.string(), z.unknown()),
  total: int,
  done: int,
  failed: int,
  errorCount: int,
  error: nullableString,
  createdBy: nullableString,
  createdAt: z.string(),
  startedAt: nullableString,
  finishedAt: nullableString,
  /** Items per second since the job started; null before the first item. */
  rate: z.number().nullable(),
  /** Seconds left at that rate, while running. */
  etaSeconds: z.number().nullable(),
  /** run | waiting (for its children) | finish (its last step) */
  phase: z.string(),
  attempts: int,
  maxAttempts: int,
  /** Each attempt that failed or was interrupted, with why. */
  failedAttempts: z.array(jobAttemptViewSchema),
  /** host:pid of the process running it now. */
  runner: nullableString,
  heartbeatAt: nullableString,
  /** The job whose completion queued this one (a scan, for its search). */
  followsId: nullableString,
  /** The child jobs it fanned out to: tiles done/total of a search, embed batches of a scan. */
  children: jobChildrenViewSchema.nullable(),
  /** The processes that worked on it (its children, or the job itself), with their throughput. */
  workers: z.array(jobWorkerViewSchema),
});
export type JobView = z.infer<typeof jobViewSchema>;

export const jobDetailSchema = jobViewSchema.extend({ errors: z.array(jobErrorSchema) });
export type JobDetail = z.infer<typeof jobDetailSchema>;

/** GET /api/settings */
export const settingsViewSchema = z.strictObject({
  datasetRoot: nullableString,
  model: z.string(),
  preset: z.string(),
  presets: z.array(z.strictObject({ name: z.string(), description: z.string() })),
  /** null: the preset's default (see defaults). */
  crossThreshold: z.number().nullable(),
  duplicateThreshold: z.number(),
  outlierThreshold: z.number().nullable(),
  defaults: z.strictObject({ crossThreshold: z.number(), outlierThreshold: z.number() }),
  skipFolders: z.array(z.string()),
  updatedAt: z.string(),
});
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** Similarity distributions the settings page draws thresholds against. */
export interface SimilarityHistogram {
  model: string;
  from: number;
  binWidth: number;
  /** Image pairs of the same folder and of different folders, counted per bin. */
  same: number[];
  different: number[];
  sample: { images: number; identities: number; samePairs: number; differentPairs: number; allPairs: boolean };
  dataset: { images: number; identities: number; samePairs: number; differentPairs: number };
  /** Each image's cosine to the rest of its folder, from the latest search; null before the first search. */
  outliers: { counts: number[]; images: number } | null;
}

/** GET /api/users */
export const userViewSchema = z.strictObject({ id: int, name: z.string(), role: roleSchema, disabled: z.boolean() });
export type UserView = z.infer<typeof userViewSchema>;

/** GET /api/health */
export const healthSchema = z.strictObject({ ok: z.boolean(), db: z.enum(['up', 'down']), queue: z.enum(['up', 'down']) });
export type Health = z.infer<typeof healthSchema>;
