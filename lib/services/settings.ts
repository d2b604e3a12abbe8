import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { Setting } from '@/lib/generated/prisma/client';
import { getPreset, PRESET_NAMES, PRESETS } from '@/lib/embedding/presets';
import { badRequest, conflict } from '@/lib/errors';
import { settingsRepository } from '@/lib/repositories/settings';
import type { SettingsView } from '@/lib/schemas/responses';
import { updateSettingsSchema } from '@/lib/schemas/settings';
import { DEFAULT_OUTLIER_THRESHOLD } from '@/lib/similarity';

/** The threshold a search uses when none is set (imported vectors have no preset to take it from). */
export function defaultCrossThreshold(settings: Setting): number {
  return settings.model.startsWith('imported: ') ? 0.4 : getPreset(settings.preset).defaultThreshold;
}

function toView(settings: Setting): SettingsView {
  return {
    datasetRoot: settings.datasetRoot,
    model: settings.model,
    preset: settings.preset,
    presets: PRESET_NAMES.map((name) => ({ name, description: PRESETS[name].description })),
    crossThreshold: settings.crossThreshold,
    duplicateThreshold: settings.duplicateThreshold,
    outlierThreshold: settings.outlierThreshold,
    defaults: { crossThreshold: defaultCrossThreshold(settings), outlierThreshold: DEFAULT_OUTLIER_THRESHOLD },
    skipFolders: settings.skipFolders,
    updatedAt: settings.updatedAt.toISOString(),
  };
}

export async function getSettings(): Promise<SettingsView> {
  return toView(await settingsRepository.get());
}

/** The form the scan stores roots in (real path, NFC), so the CLI's `scan --root` of the same folder matches. */
async function checkedDatasetRoot(given: string): Promise<string> {
  let root: string;
  try {
    root = (await fs.realpath(path.resolve(given))).normalize('NFC');
  } catch {
    throw badRequest(`${given} does not exist on the server`);
  }
  if (!(await fs.stat(root)).isDirectory()) throw badRequest(`${root} is a file, not a folder: give the folder that holds one folder per person`);
  try {
    await fs.access(root, fs.constants.R_OK | fs.constants.X_OK);
    await (await fs.opendir(root)).close();
  } catch {
    throw badRequest(`${root} cannot be read by the facesift server (it runs as uid ${process.getuid?.() ?? '?'})`);
  }
  return root;
}

async function checkModelFile(model: string) {
  if (model === 'default') return;
  const stat = await fs.stat(model).catch(() => null);
  if (!stat) throw badRequest(`model file ${model} does not exist on the server`);
  if (!stat.isFile()) throw badRequest(`model ${model} is not a file`);
  await fs.access(model, fs.constants.R_OK).catch(() => {
    throw badRequest(`model file ${model} cannot be read by the facesift server`);
  });
}

/**
 * One database reviews one dataset: the root is set once (decisions, pairs and image ids all
 * belong to that folder) and never changed; another dataset gets another database.
 */
async function claimRoot(given: string, stored: string | null) {
  const root = await checkedDatasetRoot(given);
  if (stored === root) return;
  if (stored)
    throw conflict(`this database already reviews ${stored}; to review another folder, start facesift with another database (DATABASE_URL or FACESIFT_HOME)`);
  const claimed = await settingsRepository.claimDatasetRoot(root);
  if (claimed !== root) throw conflict(`this database already reviews ${claimed}`);
}

export async function updateSettings(input: z.input<typeof updateSettingsSchema>): Promise<SettingsView> {
  const settings = await settingsRepository.get();
  const { datasetRoot, ...rest } = updateSettingsSchema.parse(input);
  const model = rest.model ?? settings.model;
  const preset = rest.preset ?? settings.preset;
  if ((rest.model !== undefined || rest.preset !== undefined) && model === 'default' && preset !== 'default') {
    throw badRequest(`the default model is fed with the "default" preset; "${preset}" is for your own .onnx model`);
  }
  if (rest.model !== undefined) await checkModelFile(model);
  if (datasetRoot !== undefined) await claimRoot(datasetRoot, settings.datasetRoot);
  return toView(Object.keys(rest).length ? await settingsRepository.update(rest) : await settingsRepository.get());
}
