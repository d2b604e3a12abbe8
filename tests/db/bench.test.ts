import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '..', '..');

describe('npm run bench', () => {
  it('runs the scan benchmark through both of its modes, each on a database of its own', () => {
    // The benches make their databases on the server DATABASE_URL names (here the test database's server).
    const run = spawnSync('npx', ['--no-install', 'tsx', 'tests/bench/scan.ts', '--images', '8'], {
      cwd: repo,
      env: process.env,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(run.stderr).not.toMatch(/does not exist/);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/--detect: 8 images \(8 embedded or recorded, 0 unreadable\)/);
    expect(run.stdout).toMatch(/--aligned: 8 images \(8 embedded or recorded, 0 unreadable\)/);
  });

  it('says what machine and instruction path the figures come from, and refuses a benchmark it does not have', () => {
    const run = spawnSync('npx', ['--no-install', 'tsx', 'tests/bench/run.ts', 'no-such-bench'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toMatch(/^machine: .+, \d+ CPUs \(.*\); similarity kernel [\w-]+ \(of [\w, -]+\); ONNX Runtime CPU provider/m);
    expect(run.stderr).toContain('no benchmark named no-such-bench (there are: scan, join, search, search-tiles, api-load)');
    expect(run.status).toBe(2);
  });
});
