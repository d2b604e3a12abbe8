import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const repo = path.resolve(__dirname, '..', '..');
const tsx = path.join(repo, 'node_modules/tsx/dist/cli.mjs');
const NOBODY = 65534;

/**
 * How to start a process that file modes apply to. Root reads every file whatever its mode, so a permission check
 * run as root would pass without checking anything: as root, the child runs as "nobody", or, where nobody cannot
 * read this checkout (a clone under /root), as root without the capabilities that override file modes.
 */
function unprivileged(): { command: string[]; options: SpawnSyncOptions } {
  if (process.getuid?.() !== 0) return { command: [process.execPath], options: {} };
  const asNobody = { uid: NOBODY, gid: NOBODY };
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(tsx)}, require('fs').constants.R_OK)`], asNobody);
  if (probe.status === 0) return { command: [process.execPath], options: asNobody };
  return { command: ['setpriv', '--bounding-set=-dac_override,-dac_read_search', process.execPath], options: {} };
}

/**
 * Runs a TypeScript module (imports by `@/` path work) in a child process that file modes apply to (see
 * unprivileged above) and answers its stdout. Never skipped: a child that fails throws with its stderr.
 */
export function runUnprivileged(source: string, env: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-unprivileged-'));
  fs.chmodSync(dir, 0o755);
  const script = path.join(dir, 'check.mts');
  fs.writeFileSync(script, source);
  try {
    const { command, options } = unprivileged();
    const child = spawnSync(command[0], [...command.slice(1), tsx, script], {
      ...options,
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, HOME: dir, ...env },
    });
    if (child.status !== 0) throw new Error(`the unprivileged check failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr}`);
    return child.stdout;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
