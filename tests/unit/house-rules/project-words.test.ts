import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..', '..', '..');
const TEXT = /\.(ts|tsx|mts|mjs|js|cjs|sh|cc|h|gyp|json|md|sql|prisma|css|yml|yaml)$|^(bin|\.ci)\//;

/**
 * Words for things that are not in a user's clone: the notes and sources the project was started from. A comment
 * that points there explains nothing to whoever reads it later.
 */
const OUTSIDE_WORDS = [/\bthe seed\b/i, /\bseed's\b/i, /\.\.\/shared\b/, /\bshared notes\b/i, /\bshared\/notes\b/];

// Owned by another branch that rewords them; dropped from here when those land.
const PENDING = new Set(['tests/bench/search.ts', 'tests/bench/search-core.ts']);

describe('the code speaks of the project alone', () => {
  it('mentions no notes or sources from outside the repository, in code, comments or docs', () => {
    const files = spawnSync('git', ['ls-files', '-z'], { cwd: repo, encoding: 'utf8' }).stdout.split('\0');
    const checked = files.filter((file) => TEXT.test(file) && !file.startsWith('lib/generated/') && file !== 'package-lock.json' && !PENDING.has(file));
    expect(checked.length).toBeGreaterThan(100);
    const found = checked.flatMap((file) =>
      fs
        .readFileSync(path.join(repo, file), 'utf8')
        .split('\n')
        .flatMap((line, index) => (OUTSIDE_WORDS.some((word) => word.test(line)) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});
