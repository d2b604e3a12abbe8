import { z } from 'zod';
import { text } from '@/lib/schemas/primitives';

export const IMAGE_SIZES = ['thumb', 'full'] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

/** GET /api/images/[id]: `v` is the version the page saw (see lib/services/images.ts). */
export const imageQuerySchema = z.strictObject({
  size: z.enum(IMAGE_SIZES).default('full'),
  v: text(128, 'v').optional(),
});
export type ImageQuery = z.infer<typeof imageQuerySchema>;
