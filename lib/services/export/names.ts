/** The helper folder inside a person folder for images that turned out to be someone else's (FACE01 layout). */
export const NOT_ME_FOLDER = 'not_me';

/**
 * Orders strings as their UTF-8 bytes would sort (= Unicode code point order). Plain `<` compares UTF-16 code
 * units, which puts astral characters before U+E000–U+FFFF; byte order is what `LC_ALL=C sort` and other
 * tools give, so the order of an export can be checked outside JavaScript.
 */
export function compareBytes(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** The key two names clash on: case-insensitive and normalisation-insensitive file systems (macOS) treat these as one. */
export function foldName(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

/** `amy1.png` → `amy1 (2).png`; a leading dot is part of the stem, as in the sh script's `?*.*` pattern. */
export function suffixedName(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Why `name` cannot be a folder or file name directly under its parent, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'an empty name';
  if (name === '.' || name === '..') return `the name "${name}"`;
  if (name.includes('/')) return `a name containing "/"`;
  if (name.includes('\0')) return 'a name containing a NUL byte';
  return null;
}

/** Why `path` is not `<identity>/<file>` (with `identity` when given), or null when it is. */
export function imagePathProblem(path: string, identity?: string): string | null {
  const slash = path.indexOf('/');
  if (slash < 0) return `path "${path}" is not <person>/<file>`;
  const folder = path.slice(0, slash);
  const problem = nameProblem(folder) ?? nameProblem(path.slice(slash + 1));
  if (problem) return `path "${path}" has ${problem}`;
  if (identity !== undefined && folder !== identity) return `path "${path}" is not in folder "${identity}"`;
  return null;
}
