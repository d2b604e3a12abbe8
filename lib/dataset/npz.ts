/**
 * Reader for FACE01's per-folder `npKnown.npz` (numpy `np.savez` / `np.savez_compressed`).
 *
 * Only what those files use is supported: a single-disk ZIP whose entries are STORED or DEFLATED
 * (zip64 sizes included: numpy forces zip64 local headers), npy v1.0-v3.0 arrays of little-endian
 * `<U` strings and `<f4` / `<f8` floats, C or Fortran order. Anything else fails with an
 * {@link NpzFormatError} that names the file and the problem, so one bad folder can be reported
 * while the rest of an import goes on.
 */
import { readFile } from 'node:fs/promises';
import { crc32, inflateRawSync } from 'node:zlib';

export class NpzFormatError extends Error {
  constructor(
    /** How the file is shown to the user, e.g. `raj/npKnown.npz`. */
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'NpzFormatError';
  }
}

export interface NpyArray {
  /** numpy dtype string as written in the header, e.g. `<f4`, `<U26`. */
  descr: string;
  shape: number[];
  fortranOrder: boolean;
  /** The raw array bytes that follow the header. */
  data: Buffer;
}

export interface NpzEmbeddings {
  /** Image basenames, NFC-normalised, one per row. */
  names: string[];
  /** The array the vectors came from, e.g. `efficientnetv2_arcface` or `dlib`. */
  key: string;
  dim: number;
  /** names.length x dim, row-major, exactly as stored (converted to float32): NOT L2-normalised. */
  vectors: Float32Array;
}

export interface ReadNpzOptions {
  /** Name in error messages; defaults to the path. */
  displayName?: string;
  /** Which embedding array to use when the file holds more than one. */
  key?: string;
}

/** Keys FACE01 writes, preferred in this order when a file holds several embedding arrays. */
export const KNOWN_EMBEDDING_KEYS = ['efficientnetv2_arcface', 'dlib'] as const;

const NAMES_KEY = 'name';

export async function readNpz(path: string, options: ReadNpzOptions = {}): Promise<NpzEmbeddings> {
  const label = options.displayName ?? path;
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new NpzFormatError(label, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parseNpz(buf, label, options.key);
}

export function parseNpz(buf: Buffer, label: string, key?: string): NpzEmbeddings {
  try {
    return parseNpzUnchecked(buf, label, key);
  } catch (err) {
    // A bounds check missed by the parser must still surface as this file's problem, not crash an import.
    if (err instanceof NpzFormatError) throw err;
    throw new NpzFormatError(label, `is malformed (${(err as Error).message})`);
  }
}

function parseNpzUnchecked(buf: Buffer, label: string, key?: string): NpzEmbeddings {
  const arrays = parseNpzArrays(buf, label);
  const namesArray = arrays.get(NAMES_KEY);
  if (!namesArray) {
    throw new NpzFormatError(label, `has no ${NAMES_KEY}.npy (entries: ${listKeys(arrays)})`);
  }
  const vectorKey = chooseVectorKey(arrays, label, key);
  const names = decodeNames(namesArray, label);
  const { rows, dim, vectors } = decodeVectors(arrays.get(vectorKey)!, vectorKey, label);
  if (rows !== names.length) {
    throw new NpzFormatError(label, `${NAMES_KEY}.npy has ${names.length} rows but ${vectorKey}.npy has ${rows}`);
  }
  return { names, key: vectorKey, dim, vectors };
}

/** Every `*.npy` entry of an npz, keyed by the name np.savez was given (without `.npy`). */
export function parseNpzArrays(buf: Buffer, label: string): Map<string, NpyArray> {
  const arrays = new Map<string, NpyArray>();
  for (const [name, bytes] of unzip(buf, label)) {
    if (!name.endsWith('.npy')) continue;
    const key = name.slice(0, -'.npy'.length);
    arrays.set(key, parseNpy(bytes, label, name));
  }
  return arrays;
}

/** Divides each `dim`-long row by its L2 norm, in place; all-zero rows stay zero. Returns `vectors`. */
export function l2normalise(vectors: Float32Array, dim: number): Float32Array {
  for (let start = 0; start < vectors.length; start += dim) {
    let sum = 0;
    for (let i = start; i < start + dim; i++) sum += vectors[i] * vectors[i];
    if (sum === 0) continue;
    const inv = 1 / Math.sqrt(sum);
    for (let i = start; i < start + dim; i++) vectors[i] *= inv;
  }
  return vectors;
}

function listKeys(arrays: Map<string, NpyArray>): string {
  return arrays.size ? [...arrays.keys()].map((k) => `${k}.npy`).join(', ') : 'none';
}

function chooseVectorKey(arrays: Map<string, NpyArray>, label: string, wanted?: string): string {
  if (wanted !== undefined) {
    if (!arrays.has(wanted) || wanted === NAMES_KEY) {
      throw new NpzFormatError(label, `has no ${wanted}.npy (entries: ${listKeys(arrays)})`);
    }
    return wanted;
  }
  const known = KNOWN_EMBEDDING_KEYS.filter((k) => arrays.has(k));
  if (known.length === 1) return known[0];
  const others = [...arrays.keys()].filter((k) => k !== NAMES_KEY);
  // FACE01 names the array after the model, so a single unknown array is still the embeddings.
  if (known.length === 0 && others.length === 1) return others[0];
  if (others.length === 0) throw new NpzFormatError(label, `has no embedding array (entries: ${listKeys(arrays)})`);
  throw new NpzFormatError(label, `holds several embedding arrays (${others.map((k) => `${k}.npy`).join(', ')}); say which key to import`);
}

function decodeNames(array: NpyArray, label: string): string[] {
  const where = `${NAMES_KEY}.npy`;
  // np.array([]) (a folder where no face was found) is float64 of shape (0,): still an empty name list.
  if (array.shape.length === 1 && array.shape[0] === 0) return [];
  const match = /^<U(\d+)$/.exec(array.descr);
  if (!match) {
    throw entryError(label, where, `dtype ${array.descr} is not supported (expected little-endian unicode, e.g. <U26)`);
  }
  if (array.shape.length !== 1) {
    throw entryError(label, where, `shape (${array.shape.join(', ')}) is not supported (expected (N,))`);
  }
  const width = Number(match[1]);
  const count = array.shape[0];
  expectBytes(array, count * width * 4, label, where);
  const names: string[] = [];
  const codePoints: number[] = [];
  for (let row = 0; row < count; row++) {
    codePoints.length = 0;
    for (let i = 0; i < width; i++) {
      const cp = array.data.readUInt32LE((row * width + i) * 4);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        throw entryError(label, where, `row ${row} holds an invalid code point 0x${cp.toString(16)}`);
      }
      codePoints.push(cp);
    }
    // numpy pads with NULs and strips trailing ones on read; embedded NULs are part of the string.
    while (codePoints.length && codePoints[codePoints.length - 1] === 0) codePoints.pop();
    names.push(String.fromCodePoint(...codePoints).normalize('NFC'));
  }
  return names;
}

function decodeVectors(array: NpyArray, key: string, label: string): { rows: number; dim: number; vectors: Float32Array } {
  const where = `${key}.npy`;
  const itemSize = array.descr === '<f4' ? 4 : array.descr === '<f8' ? 8 : 0;
  if (!itemSize) {
    throw entryError(label, where, `dtype ${array.descr} is not supported (expected little-endian float <f4 or <f8)`);
  }
  const { shape } = array;
  if (shape.length === 1 && shape[0] === 0) return { rows: 0, dim: 0, vectors: new Float32Array(0) };
  const shapeOk = (shape.length === 2 || (shape.length === 3 && shape[1] === 1)) && shape[shape.length - 1] > 0;
  if (!shapeOk) {
    throw entryError(label, where, `shape (${shape.join(', ')}) is not supported (expected (N, D) or (N, 1, D))`);
  }
  const rows = shape[0];
  const dim = shape[shape.length - 1];
  expectBytes(array, rows * dim * itemSize, label, where);
  const vectors = new Float32Array(rows * dim);
  const read = itemSize === 4 ? (o: number) => array.data.readFloatLE(o) : (o: number) => array.data.readDoubleLE(o);
  // With the middle axis of length 1, Fortran order of (N,1,D) lays out like (N,D): element (r, c) at c*N + r.
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < dim; c++) {
      const flat = array.fortranOrder ? c * rows + r : r * dim + c;
      vectors[r * dim + c] = read(flat * itemSize);
    }
  }
  return { rows, dim, vectors };
}

/** An error in one entry of the archive: `<file>: <entry>: <detail>`. */
function entryError(label: string, entry: string, detail: string): NpzFormatError {
  return new NpzFormatError(label, `${entry}: ${detail}`);
}

function expectBytes(array: NpyArray, expected: number, label: string, where: string): void {
  if (array.data.length < expected) {
    throw entryError(label, where, `is truncated: ${array.data.length} data bytes, shape needs ${expected}`);
  }
}

const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');

/** Parses one `.npy` file (numpy format versions 1.0, 2.0 and 3.0); `label` and `where` name the npz and entry in errors. */
export function parseNpy(buf: Buffer, label: string, where: string): NpyArray {
  if (buf.length < 10 || !buf.subarray(0, 6).equals(NPY_MAGIC)) {
    throw entryError(label, where, 'is not an npy array (bad magic)');
  }
  const major = buf[6];
  if (major < 1 || major > 3) throw entryError(label, where, `npy format version ${major}.${buf[7]} is not supported`);
  const lengthBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? buf.readUInt16LE(8) : buf.length >= 12 ? buf.readUInt32LE(8) : -1;
  const headerStart = 8 + lengthBytes;
  if (headerLength < 0 || headerStart + headerLength > buf.length) {
    throw entryError(label, where, 'npy header is truncated');
  }
  // v3.0 exists only to allow utf-8 in the header (structured field names); v1/v2 are latin-1.
  const header = buf.subarray(headerStart, headerStart + headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  const descr = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(header)?.[2];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) {
    const structured = /['"]descr['"]\s*:\s*\[/.test(header);
    throw entryError(label, where, structured ? 'structured dtypes are not supported' : `npy header has no descr: ${header.trim()}`);
  }
  if (fortran === undefined || shapeText === undefined) {
    throw entryError(label, where, `npy header is malformed: ${header.trim()}`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    // Python 2 numpy wrote long ints as `3L`.
    .map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : Number.NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw entryError(label, where, `npy shape (${shapeText}) is malformed`);
  return { descr, shape, fortranOrder: fortran === 'True', data: buf.subarray(headerStart + headerLength) };
}

const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const U32_MAX = 0xffffffff;

/**
 * Entries of a ZIP file, by name. Sizes and offsets come from the central directory (numpy's local
 * headers hold 0xFFFFFFFF plus a zip64 extra field), and each entry's CRC-32 is checked.
 */
export function unzip(buf: Buffer, label: string): Map<string, Buffer> {
  const bad = (detail: string) => new NpzFormatError(label, detail);
  const eocd = findEocd(buf);
  if (eocd < 0) throw bad('is not a ZIP file or is truncated (no end-of-central-directory record)');
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize: number = buf.readUInt32LE(eocd + 12);
  let cdOffset: number = buf.readUInt32LE(eocd + 16);
  if (buf.readUInt16LE(eocd + 4) !== 0 || buf.readUInt16LE(eocd + 6) !== 0) throw bad('multi-disk ZIP files are not supported');
  if (count === 0xffff || cdSize === U32_MAX || cdOffset === U32_MAX) {
    const locator = eocd - 20;
    if (locator < 0 || buf.readUInt32LE(locator) !== ZIP64_LOCATOR_SIG) throw bad('zip64 locator is missing');
    const z64 = toSafe(buf.readBigUInt64LE(locator + 8), bad);
    if (z64 + 56 > buf.length || buf.readUInt32LE(z64) !== ZIP64_EOCD_SIG) throw bad('zip64 end-of-central-directory record is missing');
    count = toSafe(buf.readBigUInt64LE(z64 + 32), bad);
    cdSize = toSafe(buf.readBigUInt64LE(z64 + 40), bad);
    cdOffset = toSafe(buf.readBigUInt64LE(z64 + 48), bad);
  }
  if (cdOffset + cdSize > buf.length) throw bad('is truncated (central directory lies past the end of the file)');

  const located: { name: string; method: number; crc: number; size: number; localOffset: number; dataEnd: number; raw: Buffer }[] = [];
  let p = cdOffset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL_SIG) throw bad(`central directory entry ${i} is malformed`);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    let compressed: number = buf.readUInt32LE(p + 20);
    let size: number = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    let localOffset: number = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLength + extraLength + commentLength > cdOffset + cdSize) throw bad(`central directory entry ${i} is malformed`);
    // Bit 11 says the name is UTF-8; otherwise it is CP437, which agrees with UTF-8 on the ASCII names numpy writes.
    const name = buf.subarray(p + 46, p + 46 + nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    // zip64 extra field: only the fields whose 32-bit slot is 0xFFFFFFFF are present, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (e + 4 + len > extraEnd) throw bad(`${name}: extra field is malformed`);
      if (id === 0x0001) {
        let f = e + 4;
        const next = () => {
          if (f + 8 > e + 4 + len) throw bad(`${name}: zip64 extra field is too short`);
          const v = toSafe(buf.readBigUInt64LE(f), bad);
          f += 8;
          return v;
        };
        if (size === U32_MAX) size = next();
        if (compressed === U32_MAX) compressed = next();
        if (localOffset === U32_MAX) localOffset = next();
      }
      e += 4 + len;
    }
    p = extraEnd + commentLength;

    if (flags & 0x1) throw bad(`${name} is encrypted`);
    if (method !== 0 && method !== 8) throw bad(`${name} uses compression method ${method} (only stored and deflate are supported)`);
    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== LOCAL_SIG) {
      throw bad(`${name}: local header is missing (file truncated or corrupt)`);
    }
    const dataStart = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataStart + compressed > buf.length) throw bad(`${name} is truncated`);
    located.push({ name, method, crc, size, localOffset, dataEnd: dataStart + compressed, raw: buf.subarray(dataStart, dataStart + compressed) });
  }

  // Directory entries that share bytes (all naming one deflate stream) would each inflate it again: a 64 KiB file
  // could grow to gigabytes while every entry alone stays within its declared size. A real archive never does that.
  const byOffset = [...located].sort((a, b) => a.localOffset - b.localOffset);
  for (let i = 0; i < byOffset.length; i++) {
    const next = byOffset[i + 1];
    if (next && next.localOffset < byOffset[i].dataEnd) throw bad(`${next.name} overlaps ${byOffset[i].name} in the archive: refused`);
    if (byOffset[i].dataEnd > cdOffset) throw bad(`${byOffset[i].name} overlaps the central directory: refused`);
  }

  const entries = new Map<string, Buffer>();
  for (const { name, method, crc, size, raw } of located) {
    let data: Buffer;
    if (method === 0) {
      data = raw;
    } else {
      try {
        // The declared size caps the output, so a hostile file cannot inflate without bound.
        data = inflateRawSync(raw, { maxOutputLength: Math.max(size, 1) });
      } catch (err) {
        throw bad(`${name} cannot be inflated (${(err as Error).message})`);
      }
    }
    if (data.length !== size) throw bad(`${name} is ${data.length} bytes, the directory says ${size}`);
    if (crc32(data) !== crc) throw bad(`${name} fails its CRC-32 check (file corrupt)`);
    entries.set(name, data);
  }
  return entries;
}

function findEocd(buf: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, so it starts within that distance of the end.
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) {
    if (buf.readUInt32LE(i) === EOCD_SIG && i + 22 + buf.readUInt16LE(i + 20) === buf.length) return i;
  }
  return -1;
}

function toSafe(v: bigint, bad: (detail: string) => NpzFormatError): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad('zip64 size or offset is out of range');
  return Number(v);
}
