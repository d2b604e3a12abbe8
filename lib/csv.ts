/**
 * A text cell a spreadsheet would run as a formula (= + - @, or a tab or CR before one) gets a
 * leading apostrophe: a folder named `=HYPERLINK(...)` then opens as the text it is. Numbers are
 * never formulas, so -0.12 stays a number.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a field is quoted when it holds a comma, quote or line break; quotes are doubled. */
export function csvField(value: unknown): string {
  const raw = value === null || value === undefined ? '' : String(value);
  const text = typeof value === 'string' && FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows of plain objects as CSV with a header from the first row's keys. */
export function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const columns = Object.keys(rows[0]);
  return [columns.map(csvField).join(','), ...rows.map((row) => columns.map((column) => csvField(row[column])).join(','))].join('\n') + '\n';
}
