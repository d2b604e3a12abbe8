import { badRequest } from '@/lib/errors';

/**
 * Keyset pagination: the cursor is the sort key of the last row shown, so page 1,000 costs what
 * page 1 costs. Cursors are opaque to clients (base64url JSON of [sortValue, id]).
 */
export function encodeCursor(value: number, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): [number, number] | null {
  if (!cursor) return null;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return parsed as [number, number];
    }
  } catch {
    // reported below
  }
  throw badRequest('cursor is malformed: pass back the nextCursor of the previous page unchanged');
}

/** Collects SQL conditions with numbered parameters. */
export class Where {
  readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  add(sql: (p: (value: unknown) => string) => string) {
    this.conditions.push(sql((value) => `$${this.params.push(value)}`));
    return this;
  }

  param(value: unknown): string {
    return `$${this.params.push(value)}`;
  }

  toString() {
    return this.with(null);
  }

  /** The clause with one more condition, one that takes no parameters; this Where stays as it is. */
  with(condition: string | null) {
    const conditions = condition ? [...this.conditions, condition] : this.conditions;
    return conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  }
}

/** The ORDER BY and the condition that continues after the cursor, for a descending or ascending key. */
export function keysetClause(where: Where, column: string, idColumn: string, descending: boolean, cursor: string | undefined) {
  const after = decodeCursor(cursor);
  const op = descending ? '<' : '>';
  if (after) where.add((p) => `(${column}, ${idColumn}) ${op} (${p(after[0])}, ${p(after[1])})`);
  const direction = descending ? 'DESC' : 'ASC';
  return `ORDER BY ${column} ${direction}, ${idColumn} ${direction}`;
}

export function page<T>(rows: T[], limit: number, key: (row: T) => [number, number]): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(...key(last)) : null };
}
