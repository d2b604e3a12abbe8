import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase } from './database';
import { copySample } from './datasets';

const root = path.resolve(__dirname, '..', '..');
const facesift = path.join(root, 'bin', 'facesift');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function cli(args: string[], env: Record<string, string>): string {
  const result = spawnSync(facesift, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`facesift ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * The sample with mistakes planted, so a search finds something to review: one of sheldon's images
 * filed under leonard (cross pairs and an outlier), and penny split into two folders (a merge
 * suggestion).
 */
function plantedSample(): string {
  const dir = copySample();
  fs.renameSync(path.join(dir, 'sheldon', 'sheldon5.png'), path.join(dir, 'leonard', 'sheldon5.png'));
  fs.mkdirSync(path.join(dir, 'penny_b'));
  for (const file of ['penny4.png', 'penny5.png']) fs.renameSync(path.join(dir, 'penny', file), path.join(dir, 'penny_b', file));
  return dir;
}

export interface Instance {
  baseUrl: string;
  databaseUrl: string;
  home: string;
  /** The planted sample this instance reviews; a test may change it (and should put it back). */
  dataset: string;
  /** What a `facesift` command needs to act on this instance's database. */
  env: Record<string, string>;
  /** The `facesift serve` process, whose children are the web server and the worker. */
  servePid: number;
  stop(): Promise<void>;
}

/**
 * The real thing: `facesift serve` (production build, web server and worker processes) on a
 * throwaway database holding the planted sample, scanned and searched, with an admin and a
 * curator to sign in as.
 */
export async function startInstance(): Promise<Instance> {
  const database = await createTestDatabase('facesift_e2e');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'facesift-e2e-'));
  const env = { DATABASE_URL: database.url, FACESIFT_HOME: home, FACESIFT_MODEL_DIR: process.env.FACESIFT_MODEL_DIR ?? path.join(root, '.facesift', 'models') };
  cli(['user', 'add', 'admin', '--role', 'admin', '--password', 'admin-password'], env);
  cli(['user', 'add', 'curator', '--role', 'curator', '--password', 'curator-password'], env);
  const dataset = plantedSample();
  cli(['scan', '--root', dataset], env);
  cli(['search', '--threshold', '0.3'], env);
  const port = await freePort();
  const server: ChildProcess = spawn(facesift, ['serve', '--port', String(port)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    server.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk;
      process.stderr.write(chunk);
      const ready = stderr.match(/facesift is running at (\S+)/);
      if (ready) resolve(ready[1]);
    });
    server.once('exit', (code) => reject(new Error(`facesift serve exited with ${code}:\n${stderr}`)));
  });
  return {
    baseUrl,
    databaseUrl: database.url,
    home,
    dataset,
    env,
    servePid: server.pid!,
    async stop() {
      server.kill('SIGTERM');
      await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(null)));
      await database.drop();
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(dataset, { recursive: true, force: true });
    },
  };
}

let own: Instance | undefined;

/** The base URL of this test file's own instance, when it has one (see useOwnInstance). */
export function ownBaseUrl(): string | undefined {
  return own?.baseUrl;
}

/**
 * Gives the calling test file an instance of its own, started before its tests and stopped after them, for
 * tests that change what others would read (decisions, rescans, settings): no test then depends on what a test
 * in another file left behind, or on the order files run in.
 */
export function useOwnInstance(): Instance {
  beforeAll(async () => {
    own = await startInstance();
  }, 300_000);
  afterAll(async () => {
    await own?.stop();
    own = undefined;
  });
  const current = () => {
    if (!own) throw new Error('the instance is not started yet: use it inside a test or a hook');
    return own;
  };
  return {
    get baseUrl() {
      return current().baseUrl;
    },
    get databaseUrl() {
      return current().databaseUrl;
    },
    get home() {
      return current().home;
    },
    get dataset() {
      return current().dataset;
    },
    get env() {
      return current().env;
    },
    get servePid() {
      return current().servePid;
    },
    stop: () => current().stop(),
  };
}
