import fs from 'node:fs/promises';
import { hashBytes } from '@/lib/dataset/hash';
import { readNpzFolders } from '@/lib/dataset/import-npz';
import { resolveDatasetFile } from '@/lib/dataset/resolve';
import { walkDataset, type DatasetEntry } from '@/lib/dataset/walk';
import { imagesRepository, type EmbedOutcome } from '@/lib/repositories/images';
import type { JobError } from '@/lib/schemas/responses';
import { settingsRepository } from '@/lib/repositories/settings';
import type { ImportJobParams } from '@/lib/schemas/jobs';
import type { JobProgress } from '@/lib/services/job-progress';
import { indexDataset, settleScanSettings } from '@/lib/services/scan';

export interface ImportSummary {
  folders: number;
  imported: number;
  withoutVector: number;
  failedFolders: number;
  model: string | null;
}

/**
 * Stores the embeddings users already have (FACE01's per-person npKnown.npz) as this dataset's
 * vectors, recorded as model "imported: <key>". A malformed file is reported by name with what is
 * wrong, and the other folders go on. Images that the npz leaves out (FACE01 omits faceless ones)
 * are recorded as no_face with that reason, so they are not mixed with vectors of another model.
 */
export async function importNpz(params: ImportJobParams, progress: JobProgress, log: (line: string) => void): Promise<ImportSummary> {
  const { config } = await settleScanSettings({ root: params.root });
  await indexDataset(config.root, log, { allowGone: params.allowGone });
  const settings = await settingsRepository.get();
  const entries: DatasetEntry[] = [];
  for await (const item of walkDataset(config.root, { skipFolders: settings.skipFolders })) if (item.kind === 'image') entries.push(item);
  const ids = new Map((await imagesRepository.knownImages()).entries());
  await progress.setTotal(entries.length);

  const summary: ImportSummary = { folders: 0, imported: 0, withoutVector: 0, failedFolders: 0, model: null };
  let dim: number | null = null;
  for await (const folder of readNpzFolders(config.root, entries, { key: params.key })) {
    summary.folders++;
    const fail = async (message: string) => {
      summary.failedFolders++;
      log(`error: ${message}`);
      await progress.report([{ path: folder.npzRelPath, reason: message }]);
    };
    if (folder.kind === 'npz-error') {
      await fail(folder.message);
      continue;
    }
    if (dim !== null && folder.dim !== dim) {
      await fail(`${folder.npzRelPath}: vectors have ${folder.dim} dimensions but earlier folders have ${dim}; not imported`);
      continue;
    }
    dim = folder.dim;
    summary.model = `imported: ${folder.key}`;
    const notes: JobError[] = [
      ...folder.unmatchedNames.map((name) => ({ path: folder.npzRelPath, reason: `lists ${name}, which is not in ${folder.identity}/` })),
      ...folder.duplicateNames.map((name) => ({ path: folder.npzRelPath, reason: `lists ${name} more than once; the first row is used` })),
      ...folder.invalidVectorNames.map((name) => ({ path: folder.npzRelPath, reason: `the vector of ${name} is zero or not finite` })),
    ];
    await progress.report(notes);
    const outcomes: EmbedOutcome[] = [];
    const failures: JobError[] = [];
    for (const { relPath, vector } of folder.matched) {
      const image = ids.get(relPath)!;
      try {
        const contentHash = hashBytes(await fs.readFile(await resolveDatasetFile(config.root, relPath)));
        outcomes.push({
          imageId: image.id,
          contentHash,
          status: 'ok',
          reason: null,
          width: null,
          height: null,
          vector: Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength),
          dim: folder.dim,
        });
      } catch (error) {
        failures.push({ path: relPath, reason: `cannot be read: ${(error as Error).message}` });
      }
    }
    for (const relPath of folder.filesWithoutVector) {
      const image = ids.get(relPath)!;
      const contentHash = await fs.readFile(await resolveDatasetFile(config.root, relPath)).then(hashBytes, () => '');
      outcomes.push({
        imageId: image.id,
        contentHash,
        status: 'no_face',
        reason: `not in ${folder.npzRelPath} (FACE01 found no face)`,
        width: null,
        height: null,
        vector: null,
        dim: null,
      });
    }
    await imagesRepository.saveOutcomes(outcomes, summary.model);
    summary.imported += folder.matched.length - failures.length;
    summary.withoutVector += folder.filesWithoutVector.length;
    await progress.advance(outcomes.length, failures);
  }
  await progress.flush();
  const notImported = (await imagesRepository.idsToEmbed(false)).length;
  if (notImported) log(`${notImported} images are in folders without ${'npKnown.npz'} and have no embedding yet`);
  if (summary.model) await settingsRepository.update({ model: summary.model });
  return summary;
}
