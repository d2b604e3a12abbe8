import fs from 'node:fs';
import path from 'node:path';
import { prepareDatabase } from '@/lib/db/connection';
import { facesiftHome, modelCacheDir, projectRoot } from '@/lib/paths';
import { runJobInline, runScanInline } from '@/lib/services/jobs';
import { addUser, generatePassword } from '@/lib/services/users';
import { intOption, log, type CommandValues } from '@/lib/cli/command';
import { progressReporter } from '@/lib/cli/progress';
import { serve } from '@/lib/cli/commands/serve';

const SAMPLE = path.join(projectRoot, 'tests', 'fixtures', 'faces-bbt');

/**
 * The bundled sample with the mistakes facesift exists to find: an image filed under the wrong
 * person, one person split over two folders, and a duplicate file. Made once; later demos reuse it
 * (and the verdicts given in it).
 */
export function prepareDemoDataset(dir: string) {
  if (fs.existsSync(dir)) return;
  fs.cpSync(SAMPLE, dir, { recursive: true });
  fs.renameSync(path.join(dir, 'amy', 'amy3.png'), path.join(dir, 'penny', 'amy3.png'));
  fs.mkdirSync(path.join(dir, 'raj koothrappali'));
  for (const name of ['raj4.png', 'raj5.png']) fs.renameSync(path.join(dir, 'raj', name), path.join(dir, 'raj koothrappali', name));
  fs.copyFileSync(path.join(dir, 'sheldon', 'sheldon1.png'), path.join(dir, 'sheldon', 'sheldon1 copy.png'));
}

export async function demoCommand(values: CommandValues): Promise<number | void> {
  const port = intOption(values.port, 'port', 3000)!;
  // the demo keeps its own state, so it never collides with a dataset you review for real;
  // the prepared models stay where set-up put them
  process.env.FACESIFT_MODEL_DIR ??= modelCacheDir();
  process.env.FACESIFT_HOME = path.join(facesiftHome(), 'demo');
  await prepareDatabase();
  const dataset = path.join(facesiftHome(), 'dataset');
  prepareDemoDataset(dataset);
  const bar = progressReporter('embedding');
  await runScanInline({ root: dataset, force: false, search: false }, log, (snapshot) => bar.update(snapshot));
  bar.end();
  await runJobInline('search', { threshold: 0.3 }, log);
  const password = generatePassword();
  await addUser({ name: 'demo', role: 'admin', password }, { replaceExisting: true });
  return serve({
    port,
    host: '127.0.0.1',
    worker: true,
    onReady: (url) =>
      log(['', `  facesift demo is running at ${url}`, `  sign in as:  demo / ${password}`, `  dataset:     ${dataset}`, '  stop with Ctrl-C', ''].join('\n')),
  });
}
