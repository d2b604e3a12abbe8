export { buildFixList } from './build-fix-list';
export { CSV_COLUMNS, EXPORT_FORMATS, FORMAT_MEDIA, formatFixList, toCsv, toJson, toSeedCsv, type ExportFormat, type FixListFormat } from './formats';
export { NOT_ME_FOLDER } from './names';
export { toShellScript } from './shell-script';
export type * from './types';
