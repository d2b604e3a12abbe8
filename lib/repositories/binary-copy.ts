import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

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
