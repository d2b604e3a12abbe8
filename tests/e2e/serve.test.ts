import { execFileSync } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

/** The worker processes `facesift serve` runs now (its children whose command is `worker`). */
function workerPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(inject('servePid'))], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => /\sworker\s*$/.test(line))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe('facesift serve', () => {
  it('starts a new worker when its worker is killed, and the web server goes on answering', async () => {
    const [first] = workerPids();
    expect(first).toBeGreaterThan(0);
    process.kill(first, 'SIGKILL');
    await expect.poll(() => workerPids().filter((pid) => pid !== first), { timeout: 60_000, interval: 250 }).toHaveLength(1);
    expect(workerPids()).not.toContain(first);
    expect((await fetch(`${inject('baseUrl')}/api/health`)).status).toBe(200);
  });
});
