import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { l2normalise, NpzFormatError, parseNpz, parseNpzArrays, readNpz, unzip } from '@/lib/dataset/npz';
import { encodeNpy, encodeNpz, encodeZip, face01Arrays, floatArray, npyHeader, unicodeArray, type NpyInput } from '@/tests/support/npz-writer';

const FIXTURES = path.join(__dirname, 'fixtures');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

// What make_npz_fixtures.py wrote; the third name was stored decomposed (NFD), as macOS lists it.
const FIXTURE_NAMES = ['杏野なつ_SXUV.png', 'raj 1.png', 'ジョン "J" o\'neil.JPG'];
const fixtureValue = (row: number, col: number) => row + 1 + col / 1024;

function expectFixtureVectors(vectors: Float32Array, rows: number, dim: number) {
  expect(vectors).toHaveLength(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < dim; c++) {
      if (vectors[r * dim + c] !== fixtureValue(r, c)) throw new Error(`row ${r} col ${c}: ${vectors[r * dim + c]}`);
    }
  }
}

function expectNpzError(run: () => unknown, message: string | RegExp) {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(NpzFormatError);
  expect((caught as Error).message).toMatch(message);
}

const rowsOf = (n: number, dim: number) => Array.from({ length: n }, (_, r) => Array.from({ length: dim }, (_, c) => fixtureValue(r, c)));

describe('reading npz files written by numpy itself', () => {
  it('reads np.savez output: NFC names, the arcface key, (N,1,512) float32 rows exactly', () => {
    const npz = parseNpz(fixture('face01-savez.npz'), 'a/npKnown.npz');
    expect(npz.names).toEqual(FIXTURE_NAMES);
    expect(npz.names[2]).toBe(npz.names[2].normalize('NFC'));
    expect(npz.key).toBe('efficientnetv2_arcface');
    expect(npz.dim).toBe(512);
    expectFixtureVectors(npz.vectors, 3, 512);
  });

  it('reads np.savez_compressed output (deflated entries) to the same result', () => {
    expect(parseNpz(fixture('face01-savez-compressed.npz'), 'x')).toEqual(parseNpz(fixture('face01-savez.npz'), 'x'));
  });

  it('reads the dlib key as float64 (N,128) converted to float32', () => {
    const npz = parseNpz(fixture('dlib-savez.npz'), 'x');
    expect(npz.key).toBe('dlib');
    expect(npz.names).toEqual(FIXTURE_NAMES.slice(0, 2));
    expect(npz.dim).toBe(128);
    expectFixtureVectors(npz.vectors, 2, 128);
  });

  it('reads a Fortran-ordered (N,512) array in row order', () => {
    const npz = parseNpz(fixture('fortran-savez.npz'), 'x');
    expect(npz.dim).toBe(512);
    expectFixtureVectors(npz.vectors, 3, 512);
  });

  it("numpy's npy header is the dict repr padded with spaces to 64 bytes and ended by a newline", () => {
    const npy = unzip(fixture('face01-savez.npz'), 'x').get('efficientnetv2_arcface.npy')!;
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 512), }";
    const expected = Buffer.concat([
      Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, 118, 0]),
      Buffer.from(dict + ' '.repeat(118 - dict.length - 1) + '\n', 'latin1'),
    ]);
    expect(npy.subarray(0, 128)).toEqual(expected);
  });

  it('the test writer produces the same npy bytes as numpy for names, C and Fortran arrays', () => {
    const saved = unzip(fixture('face01-savez.npz'), 'x');
    const fortran = unzip(fixture('fortran-savez.npz'), 'x');
    const flat = rowsOf(3, 512).flat();
    // numpy sizes <U to the longest name in code points, here the NFD one.
    const names = [...FIXTURE_NAMES.slice(0, 2), FIXTURE_NAMES[2].normalize('NFD')];
    expect(encodeNpy(unicodeArray(names))).toEqual(saved.get('name.npy'));
    expect(encodeNpy(floatArray(flat, [3, 1, 512], '<f4'))).toEqual(saved.get('efficientnetv2_arcface.npy'));
    expect(encodeNpy(floatArray(flat, [3, 512], '<f4', true))).toEqual(fortran.get('efficientnetv2_arcface.npy'));
  });
});

describe('round trip through the test writer', () => {
  const names = ['杏野なつ_SXUV.png', 'b.png', 'c d.webp'];
  const cases = [
    { compressed: false, npyVersion: 1, layout: 'N1D' },
    { compressed: true, npyVersion: 1, layout: 'ND' },
    { compressed: false, npyVersion: 2, layout: 'N1D' },
    { compressed: true, npyVersion: 3, layout: 'N1D' },
  ] as const;
  for (const { compressed, npyVersion, layout } of cases) {
    it(`reads ${compressed ? 'deflated' : 'stored'} entries, npy v${npyVersion}, ${layout} layout`, () => {
      const buf = encodeNpz(face01Arrays({ names, vectors: rowsOf(3, 512), layout }), { compressed, npyVersion });
      const npz = parseNpz(buf, 'x');
      expect(npz.names).toEqual(names);
      expect(npz.dim).toBe(512);
      expectFixtureVectors(npz.vectors, 3, 512);
    });
  }

  it('reads zip64 sizes and offsets from the central directory', () => {
    const buf = encodeNpz(face01Arrays({ names, vectors: rowsOf(3, 8) }), { zip64: 'full' });
    expect(buf.readUInt32LE(buf.length - 22 + 16)).toBe(0xffffffff);
    const npz = parseNpz(buf, 'x');
    expect(npz.names).toEqual(names);
    expectFixtureVectors(npz.vectors, 3, 8);
  });

  it('normalises NFD names to NFC', () => {
    const buf = encodeNpz(face01Arrays({ names: ['ジョン.png'.normalize('NFD')], vectors: rowsOf(1, 4) }));
    expect(parseNpz(buf, 'x').names).toEqual(['ジョン.png'.normalize('NFC')]);
  });

  it('reads dlib float64 (N,128) written by the helper', () => {
    const npz = parseNpz(encodeNpz(face01Arrays({ names: names.slice(0, 2), vectors: rowsOf(2, 128), key: 'dlib' })), 'x');
    expect([npz.key, npz.dim]).toEqual(['dlib', 128]);
    expectFixtureVectors(npz.vectors, 2, 128);
  });

  it('treats the float64 np.array([]) of a folder without faces as an empty file', () => {
    const empty = floatArray([], [0], '<f8');
    const npz = parseNpz(encodeNpz({ name: empty, efficientnetv2_arcface: empty }), 'x');
    expect(npz.names).toEqual([]);
    expect(npz.vectors).toHaveLength(0);
  });

  it('takes a single array with an unknown key as the embeddings, and a chosen key among several', () => {
    const one = face01Arrays({ names: ['a.png'], vectors: rowsOf(1, 4), key: 'my_model' });
    expect(parseNpz(encodeNpz(one), 'x').key).toBe('my_model');
    const both = { ...face01Arrays({ names: ['a.png'], vectors: rowsOf(1, 4), key: 'other' }), dlib: floatArray([1, 2], [1, 2], '<f8') };
    expect(parseNpz(encodeNpz(both), 'x').key).toBe('dlib');
    const two = { ...one, other: floatArray([1, 2], [1, 2], '<f4') };
    expectNpzError(() => parseNpz(encodeNpz(two), 'p/npKnown.npz'), 'p/npKnown.npz: holds several embedding arrays (my_model.npy, other.npy)');
    expect(parseNpz(encodeNpz(two), 'x', 'other').dim).toBe(2);
  });
});

describe('malformed npz files fail with a message naming the file and the problem', () => {
  const good = () => encodeNpz(face01Arrays({ names: ['a.png', 'b.png'], vectors: rowsOf(2, 4) }));
  const file = 'raj/npKnown.npz';

  it('truncated zip', () => {
    const buf = good();
    expectNpzError(() => parseNpz(buf.subarray(0, buf.length - 30), file), /^raj\/npKnown\.npz: is not a ZIP file or is truncated/);
    expectNpzError(() => parseNpz(Buffer.alloc(0), file), /^raj\/npKnown\.npz: is not a ZIP file/);
  });

  it('a text file named .npz', () => {
    expectNpzError(() => parseNpz(Buffer.from('hello, not a zip\n'.repeat(10)), file), 'raj/npKnown.npz: is not a ZIP file');
  });

  it('corrupt entry data (CRC mismatch)', () => {
    const buf = good();
    const npy = buf.lastIndexOf(Buffer.from('\x93NUMPY', 'latin1'));
    buf[npy + 10 + buf.readUInt16LE(npy + 8)] ^= 0xff;
    expectNpzError(() => parseNpz(buf, file), /^raj\/npKnown\.npz: .*\.npy fails its CRC-32 check/);
  });

  it('unsupported compression method', () => {
    const buf = encodeZip([{ name: 'name.npy', data: encodeNpy(unicodeArray(['a.png'])) }]);
    buf.writeUInt16LE(12, buf.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
    expectNpzError(() => parseNpz(buf, file), 'raj/npKnown.npz: name.npy uses compression method 12');
  });

  it('missing name.npy', () => {
    const { efficientnetv2_arcface } = face01Arrays({ names: ['a.png'], vectors: rowsOf(1, 4) });
    expectNpzError(() => parseNpz(encodeNpz({ efficientnetv2_arcface }), file), 'raj/npKnown.npz: has no name.npy (entries: efficientnetv2_arcface.npy)');
  });

  it('missing embedding array', () => {
    expectNpzError(() => parseNpz(encodeNpz({ name: unicodeArray(['a.png']) }), file), 'raj/npKnown.npz: has no embedding array');
  });

  it('row-count mismatch', () => {
    const arrays = { name: unicodeArray(['1', '2', '3', '4', '5']), efficientnetv2_arcface: floatArray(rowsOf(4, 512).flat(), [4, 1, 512], '<f4') };
    expectNpzError(() => parseNpz(encodeNpz(arrays), file), /^raj\/npKnown\.npz: name\.npy has 5 rows but efficientnetv2_arcface\.npy has 4$/);
  });

  it('wrong embedding dtypes: integers and big-endian floats', () => {
    const name = unicodeArray(['a.png']);
    const ints: NpyInput = { descr: '<i4', shape: [1, 2], data: Buffer.alloc(8) };
    expectNpzError(() => parseNpz(encodeNpz({ name, dlib: ints }), file), 'raj/npKnown.npz: dlib.npy: dtype <i4 is not supported');
    const bigEndian: NpyInput = { descr: '>f4', shape: [1, 2], data: Buffer.alloc(8) };
    expectNpzError(() => parseNpz(encodeNpz({ name, dlib: bigEndian }), file), 'raj/npKnown.npz: dlib.npy: dtype >f4 is not supported');
  });

  it('wrong names dtype: byte strings and pickled objects', () => {
    const vectors = floatArray([1, 2], [1, 2], '<f4');
    const bytes: NpyInput = { descr: '|S5', shape: [1], data: Buffer.from('a.png') };
    expectNpzError(() => parseNpz(encodeNpz({ name: bytes, dlib: vectors }), file), 'raj/npKnown.npz: name.npy: dtype |S5 is not supported');
    const objects: NpyInput = { descr: '|O', shape: [1], data: Buffer.from([0x80, 0x04]) };
    expectNpzError(() => parseNpz(encodeNpz({ name: objects, dlib: vectors }), file), 'raj/npKnown.npz: name.npy: dtype |O is not supported');
  });

  it('wrong shapes', () => {
    const name = unicodeArray(['a.png']);
    const threeD = floatArray(rowsOf(1, 8).flat(), [1, 2, 4], '<f4');
    expectNpzError(
      () => parseNpz(encodeNpz({ name, efficientnetv2_arcface: threeD }), file),
      'raj/npKnown.npz: efficientnetv2_arcface.npy: shape (1, 2, 4) is not supported',
    );
    const oneD = floatArray([1, 2, 3, 4], [4], '<f4');
    expectNpzError(() => parseNpz(encodeNpz({ name, efficientnetv2_arcface: oneD }), file), 'shape (4) is not supported');
    const names2D: NpyInput = { ...unicodeArray(['a', 'b']), shape: [1, 2] };
    expectNpzError(
      () => parseNpz(encodeNpz({ name: names2D, dlib: floatArray([1, 2], [1, 2], '<f8') }), file),
      'raj/npKnown.npz: name.npy: shape (1, 2) is not supported',
    );
  });

  it('array data shorter than its shape', () => {
    const short: NpyInput = { descr: '<f4', shape: [2, 4], data: Buffer.alloc(4 * 7) };
    expectNpzError(
      () => parseNpz(encodeNpz({ name: unicodeArray(['a', 'b']), dlib: short }), file),
      'raj/npKnown.npz: dlib.npy: is truncated: 28 data bytes, shape needs 32',
    );
  });

  it('an entry that is not npy, and an unsupported npy version', () => {
    const notNpy = encodeZip([{ name: 'name.npy', data: Buffer.from('plain text, not an array') }]);
    expectNpzError(() => parseNpz(notNpy, file), 'raj/npKnown.npz: name.npy: is not an npy array (bad magic)');
    const v9 = encodeNpy(unicodeArray(['a']));
    v9[6] = 9;
    expectNpzError(() => parseNpz(encodeZip([{ name: 'name.npy', data: v9 }]), file), 'raj/npKnown.npz: name.npy: npy format version 9.0 is not supported');
  });

  it('directory entries that overlap one stream, refused before anything is inflated', () => {
    // 1 MiB of zeros deflates to about 1 KiB; twelve directory entries naming that one stream would inflate it twelve times.
    const zeros: NpyInput = { descr: '<f8', shape: [1024, 128], data: Buffer.alloc(1024 * 128 * 8) };
    const zip = encodeZip(
      [
        { name: 'name.npy', data: encodeNpy(unicodeArray(['a'])) },
        { name: 'dlib.npy', data: encodeNpy(zeros) },
      ],
      { compressed: true },
    );
    const bomb = withAliases(zip, 'dlib.npy', 12);
    expect(bomb.length).toBeLessThan(8 * 1024);
    expectNpzError(() => unzip(bomb, file), 'raj/npKnown.npz: dlib.npy overlaps dlib.npy in the archive: refused');
  });

  it('an entry that runs into the central directory', () => {
    const zip = encodeZip([{ name: 'name.npy', data: encodeNpy(unicodeArray(['a'])) }]);
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(zip.readUInt32LE(cd + 20) + 8, cd + 20);
    expectNpzError(() => unzip(zip, file), 'raj/npKnown.npz: name.npy overlaps the central directory: refused');
  });

  it('a missing file', async () => {
    await expect(readNpz('/nonexistent/npKnown.npz', { displayName: 'ghost/npKnown.npz' })).rejects.toThrow('ghost/npKnown.npz: cannot be read (ENOENT)');
  });
});

describe('npy header parsing', () => {
  it('pads every header version so the data starts on a 64-byte boundary', () => {
    for (const version of [1, 2, 3] as const) {
      const header = npyHeader('<U26', [7], false, version);
      expect(header.length % 64).toBe(0);
      expect(header[header.length - 1]).toBe(0x0a);
    }
  });

  /** An npy file with exactly this header dict, padded the way numpy pads v1 headers. */
  function npyWithHeader(dict: string, data: Buffer): Buffer {
    const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
    const prefix = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, headerLength & 0xff, headerLength >> 8]);
    return Buffer.concat([prefix, Buffer.from(dict.padEnd(headerLength - 1) + '\n', 'latin1'), data]);
  }

  it('reads Python 2 long-int shapes like (2L, 3L)', () => {
    const npy = npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", Buffer.alloc(24));
    expect(parseNpzArrays(encodeZip([{ name: 'v.npy', data: npy }]), 'x').get('v')?.shape).toEqual([2, 3]);
  });

  it('refuses structured dtypes and headers without a shape', () => {
    const structured = npyWithHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(4));
    expectNpzError(() => parseNpzArrays(encodeZip([{ name: 'v.npy', data: structured }]), 'f.npz'), 'f.npz: v.npy: structured dtypes are not supported');
    const noShape = npyWithHeader("{'descr': '<f4', 'fortran_order': False, }", Buffer.alloc(4));
    expectNpzError(() => parseNpzArrays(encodeZip([{ name: 'v.npy', data: noShape }]), 'f.npz'), 'f.npz: v.npy: npy header is malformed');
  });
});

describe('l2normalise', () => {
  it('scales each row to unit length in place and leaves all-zero rows alone', () => {
    const v = new Float32Array([3, 4, 0, 0, 0, 5]);
    expect(l2normalise(v, 2)).toBe(v);
    expect(Array.from(v)).toEqual([0.6, 0.800000011920929, 0, 0, 0, 1].map(Math.fround));
  });
});

describe('readNpz from disk', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'facesift-npz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names it by displayName in errors', async () => {
    const ok = path.join(dir, 'ok.npz');
    writeFileSync(ok, encodeNpz(face01Arrays({ names: ['a.png'], vectors: rowsOf(1, 4) }), { compressed: true }));
    expect((await readNpz(ok)).names).toEqual(['a.png']);
    const bad = path.join(dir, 'bad.npz');
    writeFileSync(bad, 'nope');
    await expect(readNpz(bad, { displayName: '杏野なつ/npKnown.npz' })).rejects.toThrow(/^杏野なつ\/npKnown\.npz: is not a ZIP file/);
  });
});

/** The zip with `count` more central-directory entries, all copies of `name`'s (same name, same local header and stream). */
function withAliases(zip: Buffer, name: string, count: number): Buffer {
  const eocd = zip.length - 22;
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  let p = cdOffset;
  let record: Buffer | undefined;
  while (p < cdOffset + cdSize) {
    const length = 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
    if (zip.subarray(p + 46, p + 46 + zip.readUInt16LE(p + 28)).toString('utf8') === name) record = zip.subarray(p, p + length);
    p += length;
  }
  if (!record) throw new Error(`${name} is not in the zip`);
  const tail = Buffer.from(zip.subarray(eocd));
  tail.writeUInt16LE(tail.readUInt16LE(8) + count, 8);
  tail.writeUInt16LE(tail.readUInt16LE(10) + count, 10);
  tail.writeUInt32LE(cdSize + count * record.length, 12);
  return Buffer.concat([zip.subarray(0, eocd), ...Array.from({ length: count }, () => record), tail]);
}
