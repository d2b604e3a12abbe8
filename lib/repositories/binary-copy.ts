import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { getPool } from '@/lib/db';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const TRAILER = Buffer.from([0xff, 0xff]);
const CHUNK_BYTES = 256 * 1024;

/** Writes one row after another in COPY's binary format; fields in the order of the COPY's columns. */
export class CopyRow {
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES + 4096);
  private at = 0;

  start(fields: number): this {
    this.room(2);
    this.at = this.buffer.writeInt16BE(fields, this.at);
    return this;
  }

  int4(value: number | null): this {
    if (value === null) return this.null();
    this.room(8);
    this.at = this.buffer.writeInt32BE(value, this.buffer.writeInt32BE(4, this.at));
    return this;
  }

  /** NaN is stored as NULL: a score that could not be computed. */
  float8(value: number | null): this {
    if (value === null || Number.isNaN(value)) return this.null();
    this.room(12);
    this.at = this.buffer.writeDoubleBE(value, this.buffer.writeInt32BE(8, this.at));
    return this;
  }

  bool(value: boolean): this {
    this.room(5);
    this.at = this.buffer.writeUInt8(value ? 1 : 0, this.buffer.writeInt32BE(1, this.at));
    return this;
  }

  /** Text, and enum labels, which travel as their text. */
  text(value: string): this {
    const length = Buffer.byteLength(value);
    this.room(4 + length);
    this.at = this.buffer.writeInt32BE(length, this.at);
    this.at += this.buffer.write(value, this.at, 'utf8');
    return this;
  }

  private null(): this {
    this.room(4);
    this.at = this.buffer.writeInt32BE(-1, this.at);
    return this;
  }

  get full(): boolean {
    return this.at >= CHUNK_BYTES;
  }

  raw(bytes: Buffer): void {
    this.room(bytes.length);
    this.at += bytes.copy(this.buffer, this.at);
  }

  /** The bytes written so far; writing goes on into a fresh buffer. */
  take(): Buffer {
    const written = this.buffer.subarray(0, this.at);
    this.buffer = Buffer.allocUnsafe(this.buffer.length);
    this.at = 0;
    return written;
  }

  private room(bytes: number) {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

/**
 * COPY ... FROM STDIN in binary: numbers are neither printed here nor parsed by the server, which
 * halves what writing a million pairs costs on both sides of the pipe. Rows stream out in chunks,
 * so they never sit in memory all at once.
 */
export async function copyBinary(client: pg.PoolClient, table: string, columns: string[], count: number, write: (row: CopyRow, index: number) => void) {
  const row = new CopyRow();
  row.raw(HEADER);
  let index = 0;
  const source = new Readable({
    read() {
      if (index > count) return void this.push(null);
      while (index < count && !row.full) write(row.start(columns.length), index++);
      if (index === count) {
        row.raw(TRAILER);
        index++;
      }
      this.push(row.take());
    },
  });
  const list = columns.map((column) => `"${column}"`).join(', ');
  await pipeline(source, client.query(copyFrom(`COPY "${table}" (${list}) FROM STDIN WITH (FORMAT binary)`)));
}

/** Where one tuple's fields lie in `bytes`: field k is bytes[start[k], start[k] + length[k]), length -1 for NULL. */
export interface CopyTuple {
  bytes: Buffer;
  start: Int32Array;
  length: Int32Array;
}

/**
 * COPY (query) TO STDOUT in binary, a tuple at a time: values arrive as the server stores them
 * (bytea raw, not hex text twice its size), in one statement, so a query sorted once streams out
 * whole instead of being re-run per page. `onTuple` sees each tuple's fields in place; its buffer is
 * only valid during the call. Stops reading (and discards the connection) when the caller stops.
 */
export async function* copyOut(sql: string, fields: number, onTuple: (tuple: CopyTuple) => void): AsyncGenerator<void> {
  const client = await getPool().connect();
  // a streaming scan gains nothing from JIT, whose compiling a large estimate triggers
  await client.query('SET jit = off');
  const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT binary)`));
  const tuple: CopyTuple = { bytes: Buffer.alloc(0), start: new Int32Array(fields), length: new Int32Array(fields) };
  let pending: Buffer = Buffer.alloc(0);
  let headerDone = false;
  let ended = false;
  try {
    for await (const data of stream as AsyncIterable<Buffer>) {
      const bytes: Buffer = pending.length ? Buffer.concat([pending, data]) : data;
      let at = 0;
      if (!headerDone) {
        // signature, flags, then the length of a header extension to skip
        if (bytes.length < HEADER.length || bytes.length < HEADER.length + bytes.readInt32BE(HEADER.length - 4)) {
          pending = bytes;
          continue;
        }
        at = HEADER.length + bytes.readInt32BE(HEADER.length - 4);
        headerDone = true;
      }
      for (;;) {
        if (at + 2 > bytes.length) break;
        const count = bytes.readInt16BE(at);
        if (count === -1) {
          ended = true;
          at = bytes.length;
          break;
        }
        if (count !== fields) throw new Error(`COPY sent ${count} fields, expected ${fields}`);
        let p = at + 2;
        let whole = true;
        for (let k = 0; k < fields; k++) {
          if (p + 4 > bytes.length) {
            whole = false;
            break;
          }
          const length = bytes.readInt32BE(p);
          tuple.start[k] = p + 4;
          tuple.length[k] = length;
          p += 4 + Math.max(length, 0);
        }
        if (!whole || p > bytes.length) break;
        tuple.bytes = bytes;
        onTuple(tuple);
        at = p;
      }
      pending = bytes.subarray(at);
      yield;
    }
    if (!ended) throw new Error('COPY ended without its trailer');
  } finally {
    // a COPY left half read leaves its connection unusable: it is closed, not pooled
    const whole = ended && stream.readableEnded;
    if (!whole) stream.destroy();
    else await client.query('RESET jit');
    client.release(!whole);
  }
}
