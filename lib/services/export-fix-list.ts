import { sameFileReason } from '@/lib/dataset/resolve';
import { badRequest } from '@/lib/errors';
import { fixListRepository, type CurrentDecision, type PresentImage } from '@/lib/repositories/fix-list';
import { settingsRepository } from '@/lib/repositories/settings';
import {
  buildFixList,
  formatFixList,
  toSeedCsv,
  type DecidedDuplicate,
  type DecidedMerge,
  type DecidedMove,
  type ExportFormat,
  type FixListInput,
} from '@/lib/services/export';

/**
 * Turns the current verdicts into the fix-list input: verdicts name images by content, so each is
 * resolved to where that content is now (a verdict whose image has gone or already moved out of
 * the folder it was judged in has nothing left to do and is dropped). Duplicates that are one file on
 * disk are marked so (the script checks again when it runs, as the disk may change meanwhile).
 */
export async function collectFixListInput(): Promise<FixListInput> {
  const settings = await settingsRepository.get();
  if (!settings.datasetRoot) throw badRequest('no dataset yet: nothing to export');
  const [decisions, images] = await Promise.all([fixListRepository.currentDecisions(), fixListRepository.presentImages()]);
  const inFolder = new Map<string, PresentImage>();
  const imageCounts: Record<string, number> = {};
  const filesByIdentity: Record<string, string[]> = {};
  for (const image of images) {
    inFolder.set(`${image.identity}\n${image.contentHash}`, image);
    imageCounts[image.identity] = (imageCounts[image.identity] ?? 0) + 1;
    (filesByIdentity[image.identity] ??= []).push(image.path.slice(image.path.lastIndexOf('/') + 1));
  }
  const pairs = await fixListRepository.pairsByKey(decisions.filter((d) => d.verdict === 'duplicate').map((d) => d.subjectKey));
  const byPath = new Map(images.map((image) => [image.path, image]));
  const byHash = new Map<string, PresentImage[]>();
  for (const image of images) byHash.set(image.contentHash, [...(byHash.get(image.contentHash) ?? []), image]);
  const moves: DecidedMove[] = [];
  const duplicates: DecidedDuplicate[] = [];
  const merges: DecidedMerge[] = [];
  const stamp = (d: CurrentDecision) => ({ decidedBy: d.decidedBy, decidedAt: d.decidedAt });

  for (const d of decisions) {
    if (d.verdict === 'mislabeled' && d.misfiledHash && d.fromIdentity) {
      const image = inFolder.get(`${d.fromIdentity}\n${d.misfiledHash}`);
      if (image)
        moves.push({
          path: image.path,
          fromIdentity: d.fromIdentity,
          toIdentity: d.toIdentity,
          source: d.subject === 'outlier' ? 'outlier' : 'pair',
          ...stamp(d),
        });
    } else if ((d.verdict === 'mislabeled' && d.side === 'merge') || d.verdict === 'same') {
      if (d.fromIdentity && d.toIdentity && imageCounts[d.fromIdentity] && imageCounts[d.toIdentity]) {
        merges.push({ a: d.fromIdentity, b: d.toIdentity, into: d.intoIdentity, ...stamp(d) });
      }
    } else if (d.verdict === 'duplicate') {
      const pair = pairs.get(d.subjectKey);
      const a = pair && byPath.get(pair.aPath);
      const b = pair && byPath.get(pair.bPath);
      if (!a || !b) continue;
      const keep = a.contentHash === b.contentHash ? (d.side === 'b' ? b : a) : a.contentHash === d.keepHash ? a : b;
      const sameFile = await sameFileReason(settings.datasetRoot, a.path, b.path);
      duplicates.push({ a: { path: a.path, size: a.size }, b: { path: b.path, size: b.size }, keepPath: keep.path, sameFile, ...stamp(d) });
      // one verdict on two copies with the same bytes settles every copy of them
      if (a.contentHash !== b.contentHash) continue;
      for (const copy of byHash.get(a.contentHash) ?? []) {
        if (copy.path === a.path || copy.path === b.path) continue;
        const copySameFile = await sameFileReason(settings.datasetRoot, keep.path, copy.path);
        duplicates.push({
          a: { path: keep.path, size: keep.size },
          b: { path: copy.path, size: copy.size },
          keepPath: keep.path,
          sameFile: copySameFile,
          ...stamp(d),
        });
      }
    }
  }
  return { datasetRoot: settings.datasetRoot, generatedAt: new Date(), moves, duplicates, merges, imageCounts, filesByIdentity };
}

/** The fix list in one of the export formats, as text. */
export async function exportFixList(format: ExportFormat): Promise<string> {
  if (format === 'seed-csv') return toSeedCsv(await fixListRepository.openCrossPairs());
  return formatFixList(buildFixList(await collectFixListInput()), format);
}
