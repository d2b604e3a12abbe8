import { z } from 'zod';

/**
 * The pieces every input schema is built from, so an id or a string means the same and is refused
 * with the same reason on every route, page and command.
 */

/** Row ids are Postgres `integer`: anything above this would fail in the database, not here. */
export const MAX_ID = 2_147_483_647;

const ID_MESSAGE = `an id is a whole number from 1 to ${MAX_ID}`;

/** An id in a JSON body (`basedOn`): a number, never a string or a float. */
export const idValueSchema = z.number({ error: ID_MESSAGE }).int(ID_MESSAGE).min(1, ID_MESSAGE).max(MAX_ID, ID_MESSAGE);

/**
 * An id in a path or query: decimal digits only, so `0x2`, `2e0`, `+2`, ` 2` and `2.0` are refused
 * instead of being read as pair 2.
 */
export const idParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, ID_MESSAGE)
  .transform(Number)
  .pipe(idValueSchema);

/** Parses a path id or throws the ZodError the route maps to 400. */
export const parseId = (value: unknown): number => idParamSchema.parse(value);

const NUL_MESSAGE = 'must not contain a NUL character';

/** Every string the app accepts: Postgres cannot store NUL in text, and no name or path holds one. */
export const text = (max: number, what = 'text') =>
  z
    .string()
    .max(max, `${what} is longer than ${max} characters`)
    .refine((value) => !value.includes('\0'), `${what} ${NUL_MESSAGE}`);

/** A person folder name as the file system allows it. */
export const MAX_NAME = 255;

/**
 * Keyset cursors are opaque to clients (base64url JSON of [sortValue, id]); the sort key of the
 * last row shown, so page 1,000 costs what page 1 costs.
 */
export function encodeCursor(value: number, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export const CURSOR_MESSAGE = 'cursor is malformed: pass back the nextCursor of the previous page unchanged';

/** 0 sorts before every row: a cursor may start a list there. */
const cursorIdSchema = z.number().int().min(0).max(MAX_ID);

/** The [sortValue, id] a cursor holds, or null for a malformed one. */
export function decodeCursor(cursor: string): [number, number] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && cursorIdSchema.safeParse(parsed[1]).success) {
      return parsed as [number, number];
    }
  } catch {
    // malformed, answered below
  }
  return null;
}

/** A `cursor` query parameter: refused at the door when it is not one this server handed out. */
export const cursorSchema = z
  .string()
  .min(1, CURSOR_MESSAGE)
  .max(200, CURSOR_MESSAGE)
  .refine((cursor) => decodeCursor(cursor) !== null, CURSOR_MESSAGE);
