import fs from 'node:fs/promises';
import path from 'node:path';
import { hashBytes } from '@/lib/dataset/hash';
import { resolveDatasetFile } from '@/lib/dataset/resolve';
import { DatasetRootError, walkDataset, type DatasetEntry } from '@/lib/dataset/walk';
import { createEmbedder, type EmbedInput, type EmbedMode, type Embedder } from '@/lib/embedding';
import { getPreset, type PresetName } from '@/lib/embedding/presets';
import { AppError, badRequest } from '@/lib/errors';
import { imagesRepository, type EmbedOutcome, type ImageToEmbed, type IndexedFile } from '@/lib/repositories/images';
import type { JobError } from '@/lib/schemas/responses';
import { settingsRepository } from '@/lib/repositories/settings';
import type { JobProgress } from '@/lib/services/job-progress';

export interface ScanParams {
  root?: string;
  mode?: EmbedMode;
  model?: string;
  preset?: PresetName;
  force?: boolean;
}

export interface IndexSummary {
  root: string;
  identities: number;
  images: number;
  added: number;
  changed: number;
  gone: number;
  problems: JobError[];
}

export interface EmbedConfig {
  root: string;
  model: string;
  preset: PresetName;
  mode: EmbedMode;
}

const INDEX_CHUNK = 1000;

export interface IndexOptions {
  /** Accept a walk that finds most of the images gone (they really were deleted); refused otherwise. */
  allowGone?: boolean;
}

/**
 * A walk that finds more than half of the present images gone is far likelier an unmounted disk or an emptied
 * mount point than a curator's clean-up; marking them gone would make the next search drop their pairs from
 * every queue. Nothing is marked gone then, and the message says how to accept it.
 */
export class MostImagesGoneError extends AppError {
  constructor(root: string, present: number, gone: number) {
    super(
      409,
      `the scan of ${root} finds ${gone} of the ${present} images gone: is the disk unmounted or the folder emptied? ` +
        'Nothing was marked gone. If they really were removed, scan again with --allow-gone (or "allowGone": true in POST /api/scans, ' +
        '"Accept that most images are gone" under Admin)',
      { root, present, gone },
    );
    this.name = 'MostImagesGoneError';
  }
}

async function realRoot(root: string): Promise<string> {
  try {
    return (await fs.realpath(path.resolve(root))).normalize('NFC');
  } catch {
    throw new DatasetRootError(path.resolve(root), `dataset root ${path.resolve(root)} does not exist or cannot be read`);
  }
}

/**
 * One database reviews one dataset: the first scan or import stores its root, later ones must name
 * the same root (or none). Settings given with the scan (model, preset, mode) become the dataset's.
 * Answers what to embed with, and whether every image must be embedded again (a new model).
 */
export async function settleScanSettings(params: ScanParams): Promise<{ config: EmbedConfig; modelChanged: boolean }> {
  const settings = await settingsRepository.get();
  let root = settings.datasetRoot;
  if (params.root) {
    const given = await realRoot(params.root);
    const stored = await settingsRepository.claimDatasetRoot(given);
    if (stored !== given) {
      throw badRequest(
        `this database reviews the dataset at ${stored}, not ${given}; use a new database (another DATABASE_URL or FACESIFT_HOME) to review another dataset`,
      );
    }
    root = stored;
  }
  if (!root) throw badRequest('no dataset yet: give the dataset folder with --root DIR');
  const model = params.model ? (params.model === 'default' ? 'default' : path.resolve(params.model)) : settings.model;
  const preset = (params.preset ?? (params.model ? undefined : settings.preset) ?? 'default') as PresetName;
  getPreset(preset);
  const mode = params.mode ?? (settings.detectMode as EmbedMode);
  if (model !== 'default')
    await fs.access(model).catch(() => {
      throw badRequest(`model file ${model} does not exist or cannot be read`);
    });
  const modelChanged = model !== settings.model || preset !== settings.preset || mode !== settings.detectMode;
  if (modelChanged) await settingsRepository.update({ model, preset, detectMode: mode });
  return { config: { root, model, preset, mode }, modelChanged };
}

/**
 * Walks the dataset and brings the Image rows in line with it: new and changed files (size or
 * mtime differ) become pending, vanished ones gone (unless most would go: {@link MostImagesGoneError}). Unchanged files are not even read, which is
 * what makes a rescan of an unchanged dataset take seconds.
 */
export async function indexDataset(root: string, log: (line: string) => void = () => {}, options: IndexOptions = {}): Promise<IndexSummary> {
  const settings = await settingsRepository.get();
  const known = await imagesRepository.knownImages();
  const seen = new Set<string>();
  const identityIds = new Map<string, number>();
  const identityNames = new Set<string>();
  const problems: JobError[] = [];
  let added = 0;
  let changed = 0;
  let pending: DatasetEntry[] = [];

  const flush = async () => {
    const names = [...new Set(pending.map((e) => e.identity))].filter((name) => !identityIds.has(name));
    if (names.length) for (const [name, id] of await imagesRepository.upsertIdentities(names)) identityIds.set(name, id);
    const files: IndexedFile[] = pending.map((e) => ({ identityId: identityIds.get(e.identity)!, path: e.relPath, size: e.size, mtimeMs: e.mtimeMs }));
    await imagesRepository.upsertPending(files);
    pending = [];
  };

  for await (const item of walkDataset(root, { skipFolders: settings.skipFolders })) {
    if (item.kind === 'problem') {
      if (item.severity === 'error') problems.push({ path: item.relPath, reason: item.reason });
      else log(`note: ${item.relPath}: ${item.reason}`);
      continue;
    }
    seen.add(item.relPath);
    identityNames.add(item.identity);
    const before = known.get(item.relPath);
    const present = before && before.status !== 'gone';
    if (present && before.size === item.size && before.mtimeMs === item.mtimeMs) continue;
    if (present) changed++;
    else added++;
    pending.push(item);
    if (pending.length >= INDEX_CHUNK) await flush();
  }
  await flush();
  const present = [...known.values()].filter((image) => image.status !== 'gone');
  const goneIds = present.filter((image) => !seen.has(image.path)).map((image) => image.id);
  if (!options.allowGone && goneIds.length * 2 > present.length) throw new MostImagesGoneError(root, present.length, goneIds.length);
  await imagesRepository.markGone(goneIds);
  return { root, identities: identityNames.size, images: seen.size, added, changed, gone: goneIds.length, problems };
}

const EMBED_CHUNK = 256;
const embedders = new Map<string, Promise<Embedder>>();

/** Loading three ONNX sessions takes a second: a worker keeps them for the batches that follow. */
function embedderFor(config: EmbedConfig): Promise<Embedder> {
  const key = `${config.model}\0${config.preset}\0${config.mode}`;
  let embedder = embedders.get(key);
  if (!embedder) {
    embedder = createEmbedder({ model: config.model, preset: config.preset, mode: config.mode });
    embedder.catch(() => embedders.delete(key));
    embedders.set(key, embedder);
  }
  return embedder;
}

/** The name embeddings are stored under: a search only compares vectors of the dataset's current model. */
export function embeddingModelName(config: { model: string; preset: string }): string {
  if (config.model === 'default' || config.model.startsWith('imported: ')) return config.model;
  return `${config.model} (${config.preset})`;
}

/** Tests set FACESIFT_TEST_PAUSE_AFTER_IMAGES to stop a scan at a known point and kill it there. */
async function pauseForTests(processed: number) {
  const limit = Number(process.env.FACESIFT_TEST_PAUSE_AFTER_IMAGES);
  if (!limit || processed < limit) return;
  process.stderr.write(`paused after ${processed} images (FACESIFT_TEST_PAUSE_AFTER_IMAGES)\n`);
  await new Promise(() => {});
}

/** Tests set FACESIFT_TEST_FAIL_IMAGE to a relative path: embedding a batch with it then throws, every attempt (a poison job). */
function failForTests(relPath: string) {
  if (process.env.FACESIFT_TEST_FAIL_IMAGE === relPath) throw new Error(`cannot embed ${relPath} (FACESIFT_TEST_FAIL_IMAGE)`);
}

function describeFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'cannot be read: permission denied';
  if (code === 'ENOENT') return 'vanished from the dataset during the scan';
  return `cannot be read: ${(error as Error).message}`;
}

/**
 * Embeds the given images and records each outcome; bad images are outcomes with a reason, not
 * errors. Results are written per inference batch, each in one transaction, so a crash loses at
 * most the batch in flight and a rerun picks up exactly the images that have no stamp yet.
 */
export async function embedImages(ids: number[], config: EmbedConfig, progress: JobProgress, since: Date, force = false): Promise<void> {
  const embedder = await embedderFor(config);
  const model = embeddingModelName(config);
  let processed = 0;
  for (let start = 0; start < ids.length; start += EMBED_CHUNK) {
    const images = await imagesRepository.forEmbedding(ids.slice(start, start + EMBED_CHUNK), since);
    const byKey = new Map<string, ImageToEmbed>();
    let settled: EmbedOutcome[] = [];

    async function* inputs(): AsyncGenerator<EmbedInput> {
      for (const image of images) {
        failForTests(image.path);
        let bytes: Buffer;
        try {
          bytes = await fs.readFile(await resolveDatasetFile(config.root, image.path));
        } catch (error) {
          settled.push({
            imageId: image.id,
            contentHash: image.contentHash,
            status: 'unreadable',
            reason: describeFailure(error),
            width: null,
            height: null,
            vector: null,
            dim: null,
          });
          continue;
        }
        const contentHash = hashBytes(bytes);
        if (!force && contentHash === image.embeddedHash) {
          settled.push({ imageId: image.id, contentHash, status: 'ok', reason: null, width: null, height: null, vector: null, dim: null });
          continue;
        }
        byKey.set(String(image.id), { ...image, contentHash });
        yield { key: String(image.id), bytes };
      }
    }

    const record = async (outcomes: EmbedOutcome[]) => {
      await imagesRepository.saveOutcomes(outcomes, model);
      processed += outcomes.length;
      const failures = outcomes
        .filter((o) => o.status === 'unreadable')
        .map((o) => ({ path: images.find((i) => i.id === o.imageId)!.path, reason: o.reason! }));
      await progress.advance(outcomes.length - failures.length, failures);
      await pauseForTests(processed);
    };

    for await (const batch of embedder.embedStream(inputs())) {
      const outcomes = batch.map((result): EmbedOutcome => {
        const image = byKey.get(result.key)!;
        const vector = result.embedding ? Buffer.from(result.embedding.buffer, result.embedding.byteOffset, result.embedding.byteLength) : null;
        return {
          imageId: image.id,
          contentHash: image.contentHash,
          status: result.status,
          reason: result.reason ?? null,
          width: result.width || null,
          height: result.height || null,
          vector,
          dim: result.embedding?.length ?? null,
        };
      });
      const ready = settled;
      settled = [];
      await record([...ready, ...outcomes]);
    }
    if (settled.length) await record(settled);
  }
}
