import { describe, expect, it } from 'vitest';
import { toCsv as rowsToCsv } from '@/lib/csv';
import { buildFixList, toCsv, toSeedCsv } from '@/lib/services/export';
import { fixListInput, merge, move } from '../export/factories';

const FORMULAS = ['=HYPERLINK("evil.example","x")', '+1+2', '-2+3', '@SUM(A1)', '\t=1', '\r=1'];

describe('csv cells that a spreadsheet would run as formulas', () => {
  it('start with an apostrophe in the fix list csv, whichever column holds them', () => {
    const fixList = buildFixList(fixListInput({ moves: [move('amy/=cmd.png', '=evil', { decidedBy: '@mallory' })], merges: [merge('+a', '-b', '-b')] }));
    const cells = toCsv(fixList).split('\r\n').slice(1, -1).join(',').split(',');
    expect(cells.filter((cell) => /^"?[=+\-@\t\r]/.test(cell))).toEqual([]);
    expect(cells).toEqual(expect.arrayContaining(["'=evil", "'@mallory", "'+a", "'-b"]));
  });

  it('start with an apostrophe in seed-csv exports, and the similarity stays a number', () => {
    const lines = toSeedCsv(FORMULAS.map((name, at) => ({ aPath: `a/${name}`, bPath: `b/${name}.png`, similarity: -0.5 + at / 100 }))).split('\n');
    for (const line of lines.filter(Boolean)) expect(line).toMatch(/^"?'.*,"?'.*,-0\.\d{6}$/s);
  });

  it("start with an apostrophe in the CLI's candidate lists, numbers do not", () => {
    const text = rowsToCsv(FORMULAS.map((identity) => ({ identity, similarity: -0.25 })));
    expect(text.split('\n').slice(1, -1)).toEqual([
      `"'=HYPERLINK(""evil.example"",""x"")",-0.25`,
      "'+1+2,-0.25",
      "'-2+3,-0.25",
      "'@SUM(A1),-0.25",
      "'\t=1,-0.25",
      `"'\r=1",-0.25`,
    ]);
  });
});
