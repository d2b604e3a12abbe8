import path from 'node:path';

/** The checkout (or installed package) root: everything bundled with facesift is found from here. */
export const projectRoot = path.resolve(/*turbopackIgnore: true*/ process.env.FACESIFT_PROJECT_ROOT ?? process.cwd());

/** Where facesift keeps its state: embedded Postgres, thumbnails, the session secret. */
export function facesiftHome(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.FACESIFT_HOME ?? path.join(projectRoot, '.facesift'));
}

/** Prepared ONNX models (written by scripts/fetch-model.mjs at set-up, read by the embedder). */
export function modelCacheDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.FACESIFT_MODEL_DIR ?? path.join(facesiftHome(), 'models'));
}

export function thumbnailDir(): string {
  return path.join(/*turbopackIgnore: true*/ facesiftHome(), 'thumbs');
}
