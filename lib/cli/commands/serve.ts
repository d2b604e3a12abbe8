import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { prepareDatabase } from '@/lib/db/connection';
import { getBoss } from '@/lib/queue/boss';
import { facesiftHome, projectRoot } from '@/lib/paths';
import { intOption, log, type CommandValues } from '@/lib/cli/command';

const nextBin = () => path.join(projectRoot, 'node_modules', 'next', 'dist', 'bin', 'next');

/** Children log to our stderr: stdout stays free for what scripts read. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 2, 2] });
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const BUILD_INPUTS = ['app', 'components', 'lib', 'public', 'next.config.ts', 'postcss.config.mjs', 'package-lock.json'];

/** Names, sizes and mtimes of everything the build reads: cheap, and changes whenever a source does. */
function sourceStamp(): string {
  const hash = createHash('sha1');
  const visit = (file: string) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isDirectory()) for (const name of fs.readdirSync(file).sort()) visit(path.join(file, name));
    else hash.update(`${file}\0${stat.size}\0${stat.mtimeMs}\n`);
  };
  BUILD_INPUTS.forEach((input) => visit(path.join(projectRoot, input)));
  return hash.digest('hex');
}

/** The production build, made again only when a source changed since the last one. */
async function ensureBuild(env: NodeJS.ProcessEnv) {
  const distDir = path.join(projectRoot, process.env.FACESIFT_NEXT_DIST ?? '.next');
  const stampFile = path.join(distDir, 'facesift-source-stamp');
  const stamp = sourceStamp();
  if (fs.existsSync(path.join(distDir, 'BUILD_ID')) && fs.readFileSync(stampFile, { encoding: 'utf8', flag: 'a+' }) === stamp) return;
  log('building the web app (once after each change, about a minute)…');
  const code = await exited(run(process.execPath, [nextBin(), 'build'], { ...env, NEXT_TELEMETRY_DISABLED: '1' }));
  if (code !== 0) throw new Error('next build failed (see above)');
  fs.writeFileSync(stampFile, stamp);
}

async function waitForHealth(url: string, server: ChildProcess): Promise<boolean> {
  for (let attempt = 0; attempt < 600 && server.exitCode === null; attempt++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * Keeps one worker process running: one that exits on its own (a crash, a kill) is replaced, after
 * a pause that grows while replacements keep dying young, so a worker that cannot start does not spin.
 */
function superviseWorker(env: NodeJS.ProcessEnv) {
  let child: ChildProcess | null = null;
  let stopping = false;
  let delayMs = 1000;
  let timer: NodeJS.Timeout | undefined;
  const start = () => {
    const startedAt = Date.now();
    const current = run(path.join(projectRoot, 'bin', 'facesift'), ['worker'], env);
    child = current;
    current.once('exit', (code, signal) => {
      if (stopping) return;
      delayMs = Date.now() - startedAt > 60_000 ? 1000 : Math.min(delayMs * 2, 30_000);
      log(`worker ${current.pid} exited (${signal ?? `code ${code}`}); starting another in ${delayMs / 1000} s`);
      timer = setTimeout(start, delayMs);
    });
  };
  start();
  return {
    async stop(signal: NodeJS.Signals) {
      stopping = true;
      clearTimeout(timer);
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        await new Promise((resolve) => child!.once('exit', resolve));
      }
    },
  };
}

/**
 * The web server and a worker as separate processes: embedding and searching are heavy and
 * synchronous, and must never stall a request. The web server's end ends both; the worker's end
 * starts another worker.
 */
export async function serve(options: { port: number; host: string; worker: boolean; onReady?: (url: string) => void }) {
  const env = { ...process.env, DATABASE_URL: await prepareDatabase(), FACESIFT_HOME: facesiftHome(), FACESIFT_PROJECT_ROOT: projectRoot };
  await getBoss();
  await ensureBuild(env);
  const server = run(process.execPath, [nextBin(), 'start', '--port', String(options.port), '--hostname', options.host], { ...env, NODE_ENV: 'production' });
  const serverExit = exited(server);
  const worker = options.worker ? superviseWorker(env) : null;
  const stop = (signal: NodeJS.Signals) => {
    if (server.exitCode === null) server.kill(signal);
    return worker?.stop(signal);
  };
  process.once('SIGINT', () => void stop('SIGTERM'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${options.port}`;
  if (await waitForHealth(url, server)) (options.onReady ?? ((u) => log(`facesift is running at ${u}`)))(url);
  const code = await serverExit;
  await stop('SIGTERM');
  return code;
}

export async function serveCommand(values: CommandValues): Promise<number | void> {
  return serve({
    port: intOption(values.port, 'port', 3000)!,
    host: (values.host as string | undefined) ?? '127.0.0.1',
    worker: !values['no-worker'],
  });
}
