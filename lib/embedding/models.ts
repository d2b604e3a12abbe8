import fs from 'node:fs';
import path from 'node:path';
import { modelCacheDir } from '@/lib/paths';

/** Files scripts/fetch-model.mjs writes into the model cache. */
export const DEFAULT_MODEL_FILES = {
  recogniser: 'fr_feature.onnx',
  detector: 'fr_detect.onnx',
  landmarks: 'fr_landmark.onnx',
} as const;

export type DefaultModelRole = keyof typeof DEFAULT_MODEL_FILES;

export const FETCH_MODEL_COMMAND = 'node scripts/fetch-model.mjs';

export class ModelMissingError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `the face models are not prepared (missing ${missing.join(', ')}). ` +
        `Run \`${FETCH_MODEL_COMMAND}\` (part of \`npm run setup\`) once; it needs the npm registry the first time.`,
    );
    this.name = 'ModelMissingError';
  }
}

/** Absolute paths of the prepared default models; throws ModelMissingError naming what is absent. */
export function defaultModelPaths(dir = modelCacheDir()): Record<DefaultModelRole, string> {
  const paths = {
    recogniser: path.join(dir, DEFAULT_MODEL_FILES.recogniser),
    detector: path.join(dir, DEFAULT_MODEL_FILES.detector),
    landmarks: path.join(dir, DEFAULT_MODEL_FILES.landmarks),
  };
  const missing = Object.values(paths).filter((p) => !fs.existsSync(p));
  if (missing.length > 0) throw new ModelMissingError(missing);
  return paths;
}
