import { badRequest } from '@/lib/errors';
import { CURSOR_MESSAGE, decodeCursor, encodeCursor } from '@/lib/schemas/primitives';

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

/** Keyset pagination: the ORDER BY and the condition that continues after the cursor, for a descending or ascending key. */
export function keysetClause(where: Where, column: string, idColumn: string, descending: boolean, cursor: string | undefined) {
  const after = cursor ? decodeCursor(cursor) : null;
  if (cursor && !after) throw badRequest(CURSOR_MESSAGE);
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
