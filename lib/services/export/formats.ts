import { csvField } from '@/lib/csv';
import { baseName, compareBytes } from './names';
import { toShellScript } from './shell-script';
import type { Action, FixList, OpenCrossPair } from './types';

import type { ExportFormat, FixListFormat } from '@/lib/schemas/export';

export { EXPORT_FORMATS, type ExportFormat, type FixListFormat } from '@/lib/schemas/export';

/** For an HTTP response or a default file name. */
export const FORMAT_MEDIA: Readonly<Record<ExportFormat, { contentType: string; extension: string }>> = {
  json: { contentType: 'application/json; charset=utf-8', extension: 'json' },
  csv: { contentType: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
  'seed-csv': { contentType: 'text/csv; charset=utf-8; header=absent', extension: 'csv' },
  sh: { contentType: 'text/x-shellscript; charset=utf-8', extension: 'sh' },
};

export function formatFixList(fixList: FixList, format: FixListFormat): string {
  switch (format) {
    case 'json':
      return toJson(fixList);
    case 'csv':
      return toCsv(fixList);
    case 'sh':
      return toShellScript(fixList);
  }
}

export function toJson(fixList: FixList): string {
  return `${JSON.stringify(fixList, null, 2)}\n`;
}

export const CSV_COLUMNS = [
  'action',
  'path',
  'fromIdentity',
  'toIdentity',
  'toFolder',
  'targetPath',
  'duplicateOf',
  'intoIdentity',
  'decidedBy',
  'decidedAt',
] as const;

/**
 * The actions, one per row, in the JSON's order, with a header; a cell is empty where the action has no such
 * field, and toIdentity is empty for a move to not_me (toFolder says where). Conflicts are in the JSON only.
 * RFC 4180: CRLF between records, a field quoted only when it holds a comma, quote or line break.
 */
export function toCsv(fixList: FixList): string {
  const rows = fixList.actions.map((action) => CSV_COLUMNS.map((column) => csvCell(action, column)));
  return [[...CSV_COLUMNS], ...rows].map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

function csvCell(action: Action, column: (typeof CSV_COLUMNS)[number]): string {
  const value = (action as unknown as Record<string, unknown>)[column];
  return typeof value === 'string' ? value : '';
}

/**
 * The pair CSV that datasets like this one were checked by eye with before facesift: headerless
 * `name1,name2,similarity`, bare file names, 6 decimals, highest similarity first (ties by the full paths in byte
 * order, so the output is stable), one pair per LF-terminated line as line-oriented tools (sort, awk, cut) expect.
 */
export function toSeedCsv(pairs: readonly OpenCrossPair[]): string {
  return [...pairs]
    .sort((x, y) => y.similarity - x.similarity || compareBytes(x.aPath, y.aPath) || compareBytes(x.bPath, y.bPath))
    .map((p) => `${csvField(baseName(p.aPath))},${csvField(baseName(p.bPath))},${p.similarity.toFixed(6)}\n`)
    .join('');
}
