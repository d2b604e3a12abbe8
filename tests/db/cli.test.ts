import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { copySample } from '../support/datasets';
import { resetDatabase } from '../support/reset';

const facesift = path.resolve(__dirname, '..', '..', 'bin', 'facesift');

function cli(...args: string[]) {
  const result = spawnSync(facesift, args, { env: process.env, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeEach(resetDatabase);

describe('the facesift command', () => {
  it('lists every command in --help', () => {
    const { code, stdout } = cli('--help');
    expect(code).toBe(0);
    for (const name of ['scan', 'import-npz', 'search', 'candidates', 'export', 'serve', 'worker', 'demo', 'db migrate', 'db stop', 'user add', 'token']) {
      expect(stdout).toContain(`  ${name}`);
    }
  });

  it('calls an unknown command or flag bad usage (exit 2) in one line on stderr', () => {
    const unknown = cli('frobnicate');
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const flag = cli('search', '--treshold', '0.5');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--treshold/);
    expect(cli('candidates', '--type', 'people').stderr).toMatch(/--type must be one of pairs\|identity-pairs\|outliers/);
    expect(cli('search', '--threshold', '2').code).toBe(2);
  });

  it('prints a token and nothing else on stdout, and fails (exit 1) for an unknown user', () => {
    expect(cli('user', 'add', 'erin', '--role', 'curator', '--password', 'erinpass1').code).toBe(0);
    const token = cli('token', 'erin');
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^fs_[A-Za-z0-9_-]{40,}\n$/);
    expect(cli('token', 'ghost')).toMatchObject({ code: 1, stdout: '' });
  });

  it('reports a missing dataset root as a failure with the reason', () => {
    const result = cli('scan', '--root', '/nonexistent/faces');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not exist/);
  });

  it('scans, searches and prints candidates as JSON in the documented shape, logs only on stderr', () => {
    const root = copySample();
    const scan = cli('scan', '--root', root);
    expect(scan).toMatchObject({ code: 0, stdout: '' });
    expect(scan.stderr).toMatch(/40 images/);
    expect(cli('search', '--threshold', '0.2')).toMatchObject({ code: 0, stdout: '' });
    const pairs = cli('candidates', '--type', 'pairs', '--status', 'all', '--limit', '3');
    expect(pairs.code).toBe(0);
    const items = JSON.parse(pairs.stdout);
    expect(items.length).toBeLessThanOrEqual(3);
    for (const item of items) {
      expect(Object.keys(item)).toEqual(expect.arrayContaining(['a', 'b', 'id', 'kind', 'similarity', 'status']));
      expect(item.a).toEqual(expect.objectContaining({ imageId: expect.any(Number), identity: expect.any(String), path: expect.any(String) }));
    }
    const outliers = JSON.parse(cli('candidates', '--type', 'outliers', '--status', 'all').stdout);
    for (const item of outliers)
      expect(item).toEqual(expect.objectContaining({ identity: expect.any(String), path: expect.any(String), score: expect.any(Number) }));
    const csv = cli('candidates', '--type', 'identity-pairs', '--format', 'csv');
    expect(csv.code).toBe(0);
  });
});
