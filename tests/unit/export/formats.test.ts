import { describe, expect, it } from 'vitest';
import { buildFixList, EXPORT_FORMATS, FORMAT_MEDIA, formatFixList, toCsv, toJson, toSeedCsv, toShellScript } from '@/lib/services/export';
import { duplicate, fixListInput, merge, move } from './factories';

const awkward = buildFixList(
  fixListInput({
    moves: [move('amy/a, "quoted".png', 'penny', { decidedBy: 'o"neil, jr' }), move('amy/line\nbreak.png', null), move('amy/-rf $HOME `id`.png', '杏野なつ')],
    duplicates: [duplicate(["raj/it's.png", 10], ['raj/keep.png', 20])],
    merges: [merge('おぎやはぎ小木', '小木博明', '小木博明')],
  }),
);

describe('json export', () => {
  it('is the fix list itself, pretty-printed and newline-terminated', () => {
    const text = toJson(awkward);
    expect(JSON.parse(text)).toEqual(awkward);
    expect(text).toMatch(/^\{\n {2}"generatedAt": "2026-12-01T09:00:00.000Z",\n {2}"datasetRoot": "\/data\/faces",\n {2}"actions": \[\n/);
    expect(text.endsWith('}\n')).toBe(true);
  });
});

describe('csv export', () => {
  it('writes one row per action under a header, quoting fields with commas, quotes or line breaks (RFC 4180)', () => {
    expect(toCsv(awkward).split('\r\n')).toEqual([
      'action,path,fromIdentity,toIdentity,toFolder,targetPath,duplicateOf,intoIdentity,decidedBy,decidedAt',
      'move,amy/-rf $HOME `id`.png,amy,杏野なつ,杏野なつ,杏野なつ/-rf $HOME `id`.png,,,alice,2026-01-01T00:00:00.000Z',
      'move,"amy/a, ""quoted"".png",amy,penny,penny,"penny/a, ""quoted"".png",,,"o""neil, jr",2026-01-01T00:00:00.000Z',
      'move,"amy/line\nbreak.png",amy,,amy/not_me,"amy/not_me/line\nbreak.png",,,alice,2026-01-01T00:00:00.000Z',
      "delete,raj/it's.png,,,,,raj/keep.png,,bob,2026-01-02T00:00:00.000Z",
      'merge,,おぎやはぎ小木,,,,,小木博明,carol,2026-01-03T00:00:00.000Z',
      '',
    ]);
  });

  it('is only the header when there is nothing to do', () => {
    expect(toCsv(buildFixList(fixListInput()))).toBe(
      'action,path,fromIdentity,toIdentity,toFolder,targetPath,duplicateOf,intoIdentity,decidedBy,decidedAt\r\n',
    );
  });
});

describe('seed-csv export', () => {
  it('lists open pairs as bare file names, highest similarity first, with 6 decimals and no header', () => {
    const text = toSeedCsv([
      { aPath: '夏子/夏子_1.png', bPath: '横澤夏子/横澤夏子_9.png', similarity: 0.71234567 },
      { aPath: '杏野なつ/杏野なつ_SXUV.png', bPath: 'amy/amy1.png', similarity: 0.9 },
      { aPath: 'a/x.png', bPath: 'b/y.png', similarity: 0.5 },
    ]);
    expect(text).toBe('杏野なつ_SXUV.png,amy1.png,0.900000\n夏子_1.png,横澤夏子_9.png,0.712346\nx.png,y.png,0.500000\n');
  });

  it('breaks ties by the full paths in byte order, whatever the input order', () => {
    const pairs = [
      { aPath: 'b/1.png', bPath: 'z/1.png', similarity: 0.8 },
      { aPath: 'a/2.png', bPath: 'z/2.png', similarity: 0.8 },
      { aPath: 'a/2.png', bPath: 'y/3.png', similarity: 0.8 },
    ];
    const expected = '2.png,3.png,0.800000\n2.png,2.png,0.800000\n1.png,1.png,0.800000\n';
    expect(toSeedCsv(pairs)).toBe(expected);
    expect(toSeedCsv([...pairs].reverse())).toBe(expected);
  });

  it('quotes a name only when it holds a comma, quote or line break', () => {
    expect(toSeedCsv([{ aPath: 'a/it\'s a, "b".png', bPath: "b/it's $x.png", similarity: 1 }])).toBe('"it\'s a, ""b"".png",it\'s $x.png,1.000000\n');
  });
});

describe('export formats', () => {
  it('formats the fix list as json, csv or sh by name', () => {
    expect(formatFixList(awkward, 'json')).toBe(toJson(awkward));
    expect(formatFixList(awkward, 'csv')).toBe(toCsv(awkward));
    expect(formatFixList(awkward, 'sh')).toBe(toShellScript(awkward));
  });

  it('has a content type and file extension for every format', () => {
    expect(EXPORT_FORMATS).toEqual(['json', 'csv', 'seed-csv', 'sh']);
    for (const format of EXPORT_FORMATS) expect(FORMAT_MEDIA[format].contentType).toMatch(/charset=utf-8/);
  });
});
