import type { CommandSpec } from '@/lib/cli/command';

/**
 * The command line's contract in one table: names, flags and help. Each implementation is loaded
 * only when its command runs, so `--help` or `token` do not pay for ONNX Runtime, sharp and FAISS.
 */
export const commands: CommandSpec[] = [
  {
    name: 'scan',
    usage:
      'scan --root DIR [--aligned | --detect] [--model default|PATH] [--preset default|insightface-arcface|face01-japanese-v1] [--force] [--allow-gone] [--enqueue]',
    summary:
      'record every person folder and image under DIR and embed the images that have no embedding yet (--enqueue: leave it to workers, print the job id)',
    options: {
      root: { type: 'string' },
      aligned: { type: 'boolean' },
      detect: { type: 'boolean' },
      model: { type: 'string' },
      preset: { type: 'string' },
      force: { type: 'boolean' },
      enqueue: { type: 'boolean' },
      'allow-gone': { type: 'boolean' },
    },
    load: async () => (await import('@/lib/cli/commands/scan')).scanCommand,
  },
  {
    name: 'import-npz',
    usage: 'import-npz --root DIR [--key NAME] [--allow-gone]',
    summary: "store the embeddings in each <person>/npKnown.npz (FACE01's format) instead of computing them",
    options: { root: { type: 'string' }, key: { type: 'string' }, 'allow-gone': { type: 'boolean' } },
    load: async () => (await import('@/lib/cli/commands/scan')).importNpzCommand,
  },
  {
    name: 'search',
    usage: 'search [--threshold T] [--duplicate-threshold D] [--max-pairs N] [--tile-rows R] [--enqueue]',
    summary:
      'find every cross-person pair with cosine >= T (exact), near-duplicates, outliers and merge suggestions (--enqueue: leave it to workers, print the job id)',
    options: {
      threshold: { type: 'string' },
      'duplicate-threshold': { type: 'string' },
      'max-pairs': { type: 'string' },
      'tile-rows': { type: 'string' },
      enqueue: { type: 'boolean' },
    },
    load: async () => (await import('@/lib/cli/commands/search')).searchCommand,
  },
  {
    name: 'candidates',
    usage: 'candidates --type pairs|identity-pairs|outliers [--status open|all] [--format json|csv] [--limit N]',
    summary: 'print what the last search found (JSON array or CSV on stdout)',
    options: { type: { type: 'string' }, status: { type: 'string' }, format: { type: 'string' }, limit: { type: 'string' } },
    load: async () => (await import('@/lib/cli/commands/search')).candidatesCommand,
  },
  {
    name: 'export',
    usage: 'export --format json|csv|seed-csv|sh [--out FILE]',
    summary: 'the fix list (moves, deletions, merges) to apply to the dataset; to stdout unless --out',
    options: { format: { type: 'string' }, out: { type: 'string' } },
    load: async () => (await import('@/lib/cli/commands/export')).exportCommand,
  },
  {
    name: 'serve',
    usage: 'serve [--port 3000] [--host 127.0.0.1] [--no-worker]',
    summary: 'run the web app (and a worker process unless --no-worker)',
    options: { port: { type: 'string' }, host: { type: 'string' }, 'no-worker': { type: 'boolean' } },
    load: async () => (await import('@/lib/cli/commands/serve')).serveCommand,
  },
  {
    name: 'worker',
    usage: 'worker',
    summary: 'claim and run queued jobs (scans, searches); SIGTERM finishes the running job first',
    load: async () => (await import('@/lib/cli/commands/worker')).workerCommand,
  },
  {
    name: 'jobs wait',
    usage: 'jobs wait [ID]',
    summary: 'block until the queue has drained (or job ID and its follow-ups are done), progress on stderr; exit 1 naming a job that failed',
    positionals: { min: 0, max: 1 },
    load: async () => (await import('@/lib/cli/commands/jobs')).jobsWaitCommand,
  },
  {
    name: 'jobs list',
    usage: 'jobs list [--limit N] [--json]',
    summary: 'the newest jobs, their attempts and the workers that ran them (host:pid, last heartbeat, throughput)',
    options: { limit: { type: 'string' }, json: { type: 'boolean' } },
    load: async () => (await import('@/lib/cli/commands/jobs')).jobsListCommand,
  },
  {
    name: 'demo',
    usage: 'demo [--port 3000]',
    summary: 'the whole story on the bundled sample: database, demo admin, scan, search, and the app',
    options: { port: { type: 'string' } },
    load: async () => (await import('@/lib/cli/commands/demo')).demoCommand,
  },
  {
    name: 'db migrate',
    usage: 'db migrate',
    summary: 'create or update the database schema (every command also does this on start)',
    load: async () => (await import('@/lib/cli/commands/db')).dbMigrateCommand,
  },
  {
    name: 'db stop',
    usage: 'db stop',
    summary: 'stop the embedded Postgres under $FACESIFT_HOME/pg',
    load: async () => (await import('@/lib/cli/commands/db')).dbStopCommand,
  },
  {
    name: 'user add',
    usage: 'user add NAME --role admin|curator [--password P]',
    summary: 'add a user (or change an existing one); prints a generated password when none is given',
    options: { role: { type: 'string' }, password: { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('@/lib/cli/commands/users')).userAddCommand,
  },
  {
    name: 'token',
    usage: 'token NAME [--expires-in DAYS|never]',
    summary: "print a new API token for that user (send it as 'Authorization: Bearer <token>'); it lasts 90 days unless --expires-in",
    options: { 'expires-in': { type: 'string' } },
    positionals: { min: 1, max: 1 },
    load: async () => (await import('@/lib/cli/commands/users')).tokenCommand,
  },
  {
    name: 'token revoke',
    usage: 'token revoke NAME | token revoke --token TOKEN',
    summary: 'revoke every token of that user, or the one token given; the web server refuses it at once',
    options: { token: { type: 'string' } },
    positionals: { min: 0, max: 1 },
    load: async () => (await import('@/lib/cli/commands/users')).tokenRevokeCommand,
  },
];
