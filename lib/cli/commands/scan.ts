import { prepareDatabase } from '@/lib/db/connection';
import { EMBED_MODES } from '@/lib/embedding/embedder';
import { PRESET_NAMES } from '@/lib/embedding/presets';
import { importNpz } from '@/lib/services/import-npz';
import { JobProgress } from '@/lib/services/job-progress';
import { runJobHere, runScanInline } from '@/lib/services/jobs';
import { choiceOption, log, UsageError, type CommandValues } from '@/lib/cli/command';
import { progressReporter } from '@/lib/cli/progress';

export async function scanCommand(values: CommandValues): Promise<number | void> {
    if (values.aligned && values.detect) throw new UsageError('--aligned and --detect exclude each other');
    const preset = values.preset === undefined ? undefined : choiceOption(values.preset, 'preset', PRESET_NAMES, 'default');
    const mode = values.aligned ? 'aligned' : values.detect ? 'detect' : undefined;
    if (mode && !EMBED_MODES.includes(mode)) throw new UsageError(`unknown mode ${mode}`);
    await prepareDatabase();
    const bar = progressReporter('embedding');
    const started = Date.now();
    const { state } = await runScanInline(
      { root: values.root as string | undefined, mode, model: values.model as string | undefined, preset, force: Boolean(values.force), search: false },
      log,
      (snapshot) => bar.update(snapshot),
    );
    bar.end();
    log(`scan finished in ${((Date.now() - started) / 1000).toFixed(1)} s: ${state.done} embedded or recorded, ${state.failed} unreadable`);
}

export async function importNpzCommand(values: CommandValues): Promise<number | void> {
    await prepareDatabase();
    const params = { root: values.root as string | undefined, key: values.key as string | undefined };
    const bar = progressReporter('importing');
    const summary = await runJobHere(
      'import-npz',
      params,
      (jobId) => importNpz(params, new JobProgress(jobId, (s) => bar.update(s)), log),
      (result) => (result.failedFolders ? `${result.failedFolders} npz files could not be imported` : null),
    );
    bar.end();
    log(`imported ${summary.imported} embeddings from ${summary.folders - summary.failedFolders} of ${summary.folders} npKnown.npz files (${summary.model ?? 'none'})`);
    return summary.failedFolders ? 1 : 0;
}
