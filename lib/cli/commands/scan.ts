import { prepareDatabase } from '@/lib/db/connection';
import { EMBED_MODES } from '@/lib/embedding/embedder';
import { PRESET_NAMES } from '@/lib/embedding/presets';
import type { ImportSummary } from '@/lib/services/import-npz';
import { enqueueScan, jobs, runScanInline } from '@/lib/services/jobs';
import { choiceOption, log, UsageError, type CommandValues } from '@/lib/cli/command';
import { progressReporter } from '@/lib/cli/progress';

export async function scanCommand(values: CommandValues): Promise<number | void> {
  if (values.aligned && values.detect) throw new UsageError('--aligned and --detect exclude each other');
  const preset = values.preset === undefined ? undefined : choiceOption(values.preset, 'preset', PRESET_NAMES, 'default');
  const mode = values.aligned ? ('aligned' as const) : values.detect ? ('detect' as const) : undefined;
  if (mode && !EMBED_MODES.includes(mode)) throw new UsageError(`unknown mode ${mode}`);
  await prepareDatabase();
  const params = {
    root: values.root as string | undefined,
    mode,
    model: values.model as string | undefined,
    preset,
    force: Boolean(values.force),
    search: false,
    allowGone: Boolean(values['allow-gone']),
  };
  if (values.enqueue) {
    process.stdout.write(`${(await enqueueScan(params)).id}\n`);
    return;
  }
  const bar = progressReporter('embedding');
  const started = Date.now();
  const { state } = await runScanInline(params, log, (snapshot) => bar.update(snapshot));
  bar.end();
  log(`scan finished in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.done} embedded or recorded, ${state.failed} unreadable`);
}

export async function importNpzCommand(values: CommandValues): Promise<number | void> {
  await prepareDatabase();
  const bar = progressReporter('importing');
  const job = await jobs.runInline(
    'import-npz',
    { root: values.root as string | undefined, key: values.key as string | undefined, allowGone: Boolean(values['allow-gone']) },
    { log, onProgress: (s) => bar.update(s) },
  );
  bar.end();
  const summary = job.result as unknown as ImportSummary | null;
  if (!summary) throw new Error(job.error ?? `import ${job.id} ended ${job.status}`);
  log(
    `imported ${summary.imported} embeddings from ${summary.folders - summary.failedFolders} of ${summary.folders} npKnown.npz files (${summary.model ?? 'none'})`,
  );
  return job.status === 'done' ? 0 : 1;
}
