import fs from 'node:fs';
import { prepareDatabase } from '@/lib/db/connection';
import { EXPORT_FORMATS } from '@/lib/services/export';
import { exportFixList } from '@/lib/services/export-fix-list';
import { choiceOption, log, UsageError, type CommandValues } from '@/lib/cli/command';

export async function exportCommand(values: CommandValues): Promise<number | void> {
  if (values.format === undefined) throw new UsageError(`--format ${EXPORT_FORMATS.join('|')} is required`);
  const format = choiceOption(values.format, 'format', EXPORT_FORMATS, 'json');
  await prepareDatabase();
  const text = await exportFixList(format);
  if (typeof values.out === 'string') {
    fs.writeFileSync(values.out, text, { mode: format === 'sh' ? 0o755 : 0o644 });
    log(`wrote ${values.out}`);
  } else {
    process.stdout.write(text);
  }
}
