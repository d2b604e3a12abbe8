import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FETCH_MODEL_COMMAND, ModelMissingError, defaultModelPaths } from '@/lib/embedding';

/**
 * The default models, fetched on first use: set-up normally runs scripts/fetch-model.mjs before the
 * tests, but a fresh checkout running one test file should get the models too, or a clear reason why not.
 */
export function ensureDefaultModels(): ReturnType<typeof defaultModelPaths> {
  try {
    return defaultModelPaths();
  } catch (err) {
    if (!(err instanceof ModelMissingError)) throw err;
  }
  try {
    execFileSync(process.execPath, [path.join(process.cwd(), 'scripts', 'fetch-model.mjs')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
  } catch {
    throw new Error(
      `the default face models are missing and \`${FETCH_MODEL_COMMAND}\` failed (its message is above); ` +
        'run it with access to the npm registry, then rerun the tests',
    );
  }
  return defaultModelPaths();
}
