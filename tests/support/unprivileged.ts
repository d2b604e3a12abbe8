import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');
const NOBODY = 65534;

/**
 * Runs a TypeScript module (imports by `@/` path work) in a child process as an unprivileged user and answers
 * its stdout: as "nobody" when this process is root, which reads every file whatever its mode, so a permission
 * check would otherwise pass without checking anything; as this same user otherwise. Never skipped: a child
 * that fails throws with its stderr.
 */
export function runUnprivileged(source: string, env: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-unprivileged-'));
  fs.chmodSync(dir, 0o755);
  const script = path.join(dir, 'check.mts');
  fs.writeFileSync(script, source);
  try {
    const asRoot = process.getuid?.() === 0;
    const child = spawnSync(process.execPath, [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), script], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, HOME: dir, ...env },
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {}),
    });
    if (child.status !== 0) throw new Error(`the unprivileged check failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr}`);
    return child.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
