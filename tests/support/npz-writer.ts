/**
 * Writes `.npz` files the way numpy does, for tests: `np.savez` (STORED entries) and
 * `np.savez_compressed` (DEFLATED), with numpy's own npy header layout (versions 1.0-3.0):
 * the dict repr, 21-digit growth padding, then spaces up to a 64-byte boundary and a final '\n'.
 * Like numpy (which forces zip64), local headers carry a zip64 extra field; `zip64: 'full'`
 * also puts zip64 sizes in the central directory, as a >4 GiB archive would.
 */
import { writeFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

export interface NpyInput {
  descr: string;
  shape: number[];
  fortranOrder?: boolean;
  data: Uint8Array;
}

export type NpyVersion = 1 | 2 | 3;

/** numpy's repr of a shape tuple: `()`, `(3,)`, `(3, 1, 512)`. */
function shapeRepr(shape: number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

export function npyHeader(descr: string, shape: number[], fortranOrder = false, version: NpyVersion = 1): Buffer {
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeRepr(shape)}, }`;
  // numpy leaves room to grow the first (C) or last (Fortran) axis in place.
  if (shape.length > 0) dict += ' '.repeat(21 - String(shape[fortranOrder ? shape.length - 1 : 0]).length);
  const body = Buffer.from(dict, version === 3 ? 'utf8' : 'latin1');
  const lengthBytes = version === 1 ? 2 : 4;
  const hlen = body.length + 1;
  const padlen = 64 - ((6 + 2 + lengthBytes + hlen) % 64);
  const prefix = Buffer.alloc(8 + lengthBytes);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = version;
  prefix[7] = 0;
  if (version === 1) prefix.writeUInt16LE(hlen + padlen, 8);
  else prefix.writeUInt32LE(hlen + padlen, 8);
  return Buffer.concat([prefix, body, Buffer.from(' '.repeat(padlen) + '\n', 'latin1')]);
}

export function encodeNpy(array: NpyInput, version: NpyVersion = 1): Buffer {
  return Buffer.concat([npyHeader(array.descr, array.shape, array.fortranOrder ?? false, version), array.data]);
}

/** `np.array(names)`: dtype `<U{longest}` unless `width` is given, UTF-32LE code points, NUL-padded. */
export function unicodeArray(names: string[], width?: number): NpyInput {
  const points = names.map((n) => [...n].map((c) => c.codePointAt(0)!));
  const w = width ?? Math.max(1, ...points.map((p) => p.length));
  const data = Buffer.alloc(names.length * w * 4);
  points.forEach((p, row) => p.slice(0, w).forEach((cp, i) => data.writeUInt32LE(cp, (row * w + i) * 4)));
  return { descr: `<U${w}`, shape: [names.length], data };
}

/**
 * A float array from row-major `values`; `fortranOrder` stores it column-major as
 * `np.asfortranarray` does (2-D shapes, or (N, 1, D)).
 */
export function floatArray(values: ArrayLike<number>, shape: number[], descr: '<f4' | '<f8', fortranOrder = false): NpyInput {
  const size = descr === '<f4' ? 4 : 8;
  const count = shape.reduce((a, b) => a * b, 1);
  if (values.length !== count) throw new Error(`floatArray: ${values.length} values for shape (${shape.join(', ')})`);
  const rows = shape[0] ?? 1;
  const cols = rows === 0 ? 0 : count / rows;
  const data = Buffer.alloc(count * size);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const at = (fortranOrder ? c * rows + r : r * cols + c) * size;
      if (size === 4) data.writeFloatLE(values[r * cols + c], at);
      else data.writeDoubleLE(values[r * cols + c], at);
    }
  }
  return { descr, shape, fortranOrder, data };
}

export interface ZipOptions {
  compressed?: boolean;
  /** `local` (numpy's default): zip64 extra in local headers only. `full`: zip64 in the central directory too. */
  zip64?: 'local' | 'full';
}

export function encodeZip(entries: { name: string; data: Uint8Array }[], options: ZipOptions = {}): Buffer {
  const method = options.compressed ? 8 : 0;
  const full = options.zip64 === 'full';
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // 1980-01-01 00:00, DOS format: fixed so that equal inputs give equal bytes.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const payload = method === 8 ? deflateRawSync(data) : Buffer.from(data);
    const crc = crc32(data);
    const localExtra = Buffer.alloc(20);
    localExtra.writeUInt16LE(1, 0);
    localExtra.writeUInt16LE(16, 2);
    localExtra.writeBigUInt64LE(BigInt(data.length), 4);
    localExtra.writeBigUInt64LE(BigInt(payload.length), 12);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(0xffffffff, 18);
    local.writeUInt32LE(0xffffffff, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(localExtra.length, 28);

    const centralExtra = full ? Buffer.alloc(28) : Buffer.alloc(0);
    if (full) {
      centralExtra.writeUInt16LE(1, 0);
      centralExtra.writeUInt16LE(24, 2);
      centralExtra.writeBigUInt64LE(BigInt(data.length), 4);
      centralExtra.writeBigUInt64LE(BigInt(payload.length), 12);
      centralExtra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 45, 4);
    cd.writeUInt16LE(45, 6);
    cd.writeUInt16LE(0x800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(dosTime, 12);
    cd.writeUInt16LE(dosDate, 14);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(full ? 0xffffffff : payload.length, 20);
    cd.writeUInt32LE(full ? 0xffffffff : data.length, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt16LE(centralExtra.length, 30);
    cd.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    cd.writeUInt32LE(full ? 0xffffffff : offset, 42);
    central.push(cd, nameBytes, centralExtra);

    parts.push(local, nameBytes, localExtra, payload);
    offset += local.length + nameBytes.length + localExtra.length + payload.length;
  }
  const cdBytes = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (full) {
    const z64 = Buffer.alloc(56);
    z64.writeUInt32LE(0x06064b50, 0);
    z64.writeBigUInt64LE(44n, 4);
    z64.writeUInt16LE(45, 12);
    z64.writeUInt16LE(45, 14);
    z64.writeBigUInt64LE(BigInt(entries.length), 24);
    z64.writeBigUInt64LE(BigInt(entries.length), 32);
    z64.writeBigUInt64LE(BigInt(cdBytes.length), 40);
    z64.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cdBytes.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(z64, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(full ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(full ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(full ? 0xffffffff : cdBytes.length, 12);
  eocd.writeUInt32LE(full ? 0xffffffff : offset, 16);
  return Buffer.concat([...parts, cdBytes, ...tail, eocd]);
}

export interface NpzOptions extends ZipOptions {
  npyVersion?: NpyVersion;
}

/** `np.savez(file, **arrays)` (or `np.savez_compressed` with `compressed: true`), as bytes. */
export function encodeNpz(arrays: Record<string, NpyInput>, options: NpzOptions = {}): Buffer {
  const entries = Object.entries(arrays).map(([key, array]) => ({ name: `${key}.npy`, data: encodeNpy(array, options.npyVersion) }));
  return encodeZip(entries, options);
}

export function writeNpz(path: string, arrays: Record<string, NpyInput>, options: NpzOptions = {}): void {
  writeFileSync(path, encodeNpz(arrays, options));
}

export interface Face01NpzInput {
  names: string[];
  /** One row per name. */
  vectors: number[][];
  /** Default `efficientnetv2_arcface`; `dlib` writes float64 (N, 128)-style rows. */
  key?: string;
  /** FACE01 writes (N, 1, D); (N, D) is accepted too. */
  layout?: 'N1D' | 'ND';
}

/** The arrays of a FACE01 `npKnown.npz`: `name` plus the embeddings (`<f8` for dlib, else `<f4`). */
export function face01Arrays({ names, vectors, key = 'efficientnetv2_arcface', layout }: Face01NpzInput): Record<string, NpyInput> {
  const dim = vectors[0]?.length ?? 0;
  const dlib = key === 'dlib';
  const shape = (layout ?? (dlib ? 'ND' : 'N1D')) === 'N1D' ? [vectors.length, 1, dim] : [vectors.length, dim];
  return { name: unicodeArray(names), [key]: floatArray(vectors.flat(), shape, dlib ? '<f8' : '<f4') };
}
