import { z } from 'zod';
import { PRESET_NAMES } from '@/lib/embedding/presets';
import { text } from '@/lib/schemas/primitives';

const threshold = (name: string) =>
  z
    .number({ error: `${name} must be a number` })
    .min(0, `${name} is below 0`)
    .max(1, `${name} is above 1`);

const absolutePath = text(4096, 'a path')
  .trim()
  .min(1, 'path is empty')
  .refine((value) => value.startsWith('/'), 'give an absolute path (starting with /): the server resolves it, not your browser');

const skipFolder = text(255, 'a skip folder name')
  .trim()
  .normalize('NFC')
  .min(1, 'a skip folder name is empty')
  .refine((name) => !name.includes('/') && name !== '.' && name !== '..', 'a skip folder is a folder name, not a path');

/** PATCH /api/settings: any subset; null thresholds fall back to the preset's default. */
export const updateSettingsSchema = z
  .strictObject({
    datasetRoot: absolutePath,
    model: z.union([z.literal('default'), absolutePath.refine((value) => /\.onnx$/i.test(value), 'the model is "default" or a path to an .onnx file')]),
    preset: z.enum(PRESET_NAMES),
    crossThreshold: threshold('the cross-identity threshold').nullable(),
    duplicateThreshold: threshold('the duplicate threshold'),
    outlierThreshold: threshold('the outlier threshold').nullable(),
    skipFolders: z
      .array(skipFolder)
      .max(200, 'at most 200 skip folders')
      .refine((names) => new Set(names.map((name) => name.toLowerCase())).size === names.length, 'a skip folder is listed twice'),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'nothing to change');
export type UpdateSettingsInput = z.infer<typeof updateSettingsSchema>;
