import os from 'node:os';
import type pg from 'pg';
import { ZodError, type z } from 'zod';
import { withTransaction } from '@/lib/db';
import { AppError, badRequest, conflict, notFound } from '@/lib/errors';
import { enqueue } from '@/lib/queue/boss';
import type { JobName } from '@/lib/queue/jobs';
import { jobsRepository, type Attempt, type ChildSummary, type JobRow } from '@/lib/repositories/jobs';
import { JobProgress, JobStoppedError, type ProgressSnapshot } from '@/lib/services/job-progress';

/**
 * The one place that keeps Job rows: create, claim, heartbeat, progress, cancel, finish, fail and
 * retry, children (a fan-out such as a scan's embed batches) and follow-ups (a scan's search). The
 * worker runs jobs from the queue through it and the CLI runs them in its own process through it,
 * so both get the same steps, the same retries and the same rows.
 */

export type Log = (line: string) => void;
type Json = Record<string, unknown>;

export interface JobSpec {
  kind: JobName;
  params: Json;
}

/**
 * What a step answers: `result` is kept on the row; `children` hands the work to child jobs (the
 * job then waits for them, and its `finish` step runs after the last one); `error` ends the job
 * failed without retrying (the data, not the run, is at fault).
 */
export type JobOutcome = { result?: Json; children?: JobSpec[]; error?: string } | void;

export interface JobContext<P> {
  readonly job: JobRow;
  readonly params: P;
  readonly progress: JobProgress;
  readonly log: Log;
  readonly inline: boolean;
  mergeParams(patch: Partial<P>): Promise<void>;
  /** The row this child belongs to (its parameters, when it was made). */
  parent(): Promise<JobRow | null>;
  /** Throws when the job was cancelled or another worker took it over: nothing more may be written. */
  throwIfStopped(): void;
}

export interface JobKind<P = Json> {
  name: JobName;
  params: z.ZodType<P>;
  /** Attempts before the job ends failed; each attempt's reason is kept. */
  maxAttempts?: number;
  run(context: JobContext<P>): Promise<JobOutcome>;
  /** Runs once after the last child settled, as its own attempt on whichever worker takes it. */
  finish?(context: JobContext<P>, children: ChildSummary): Promise<JobOutcome>;
  /** Jobs to queue once this one is done, in the transaction that marks it done. */
  then?(params: P, result: Json): JobSpec[];
}

export type JobKinds = Record<JobName, JobKind<never>>;

export function defineJobKind<P>(kind: JobKind<P>): JobKind<P> {
  return kind;
}

const DEFAULT_ATTEMPTS = 3;
const NO_CHILDREN: ChildSummary = { kind: null, total: 0, queued: 0, running: 0, done: 0, failed: 0, cancelled: 0, firstFailure: null };
const STALE_BEATS = 12;

const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
/** How often a process tells the database it is alive; a runner silent for 12 beats is taken for dead. */
const heartbeatSeconds = () => seconds('FACESIFT_JOB_HEARTBEAT_S', 5);
const retryDelaySeconds = (attempt: number) => seconds('FACESIFT_JOB_RETRY_DELAY_S', 5) * attempt;

export const thisRunner = () => `${os.hostname()}:${process.pid}`;

/** Errors of the request or the data (a missing folder, bad parameters) fail the same way every time: no retry. */
function isPermanent(error: unknown): boolean {
  return (error instanceof AppError && error.status < 500) || error instanceof ZodError;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One heartbeat per process, however many jobs it runs: one UPDATE of the rows it is running. A row
 * that the beat no longer finds (cancelled, or taken over after this process stalled) is stopped;
 * a row whose attempt ended without its end being written (the database was away) is no longer
 * beaten for, so it is reaped and runs again.
 */
const heartbeat = {
  held: new Map<string, { stopped: boolean; count: number }>(),
  timer: null as NodeJS.Timeout | null,
  keepAlive: 0,
  onBeat: [] as (() => Promise<void>)[],
  hold(id: string) {
    const entry = this.held.get(id) ?? { stopped: false, count: 0 };
    // a hold is taken right after a claim: whatever an earlier attempt of the row saw is past
    entry.stopped = false;
    entry.count++;
    this.held.set(id, entry);
    this.start();
    return () => {
      if (--entry.count === 0) this.held.delete(id);
      this.stopWhenIdle();
    };
  },
  stopped(id: string) {
    return this.held.get(id)?.stopped ?? false;
  },
  start() {
    this.timer ??= setInterval(() => void this.beat(), heartbeatSeconds() * 1000);
    this.timer.unref();
  },
  stopWhenIdle() {
    if (this.held.size === 0 && this.keepAlive === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  },
  async beat() {
    try {
      const alive = await jobsRepository.beat(thisRunner(), [...this.held.keys()]);
      for (const [id, entry] of this.held) if (!alive.has(id)) entry.stopped = true;
      for (const task of this.onBeat) await task();
    } catch (error) {
      // the database may be restarting: the next beat tries again
      console.error(`heartbeat: ${(error as Error).message}`);
    }
  },
};

interface RunEnv {
  inline: boolean;
  log: Log;
  /**
   * Hands a queued row to whoever runs it next, inside the transaction that queued it. Of rows
   * queued together, one of higher `priority` is taken first.
   */
  dispatch(job: { id: string; kind: string; priority?: number }, client: pg.PoolClient, startAfterSeconds?: number): Promise<void>;
  onProgress(job: JobRow, snapshot: ProgressSnapshot): void;
  /** A job of this process now waits for its children. */
  onWaiting?(jobId: string): void;
}

const queueDispatch: RunEnv['dispatch'] = async (job, client, startAfterSeconds) => {
  await enqueue(job.kind as JobName, { jobId: job.id }, { client, startAfterSeconds, priority: job.priority });
};

export function jobRunner(kinds: JobKinds) {
  const kindOf = (name: string): JobKind<Json> => {
    const kind = (kinds as Record<string, JobKind<never>>)[name];
    if (!kind) throw new Error(`no job kind "${name}"`);
    return kind as unknown as JobKind<Json>;
  };

  const newJob = (spec: JobSpec, env: RunEnv, links: { createdById: number | null; parentId?: string; followsId?: string }) => ({
    kind: spec.kind,
    params: kindOf(spec.kind).params.parse(spec.params) as Json,
    maxAttempts: kindOf(spec.kind).maxAttempts ?? DEFAULT_ATTEMPTS,
    inline: env.inline,
    ...links,
  });

  async function insertAndDispatch(jobs: ReturnType<typeof newJob>[], env: RunEnv, client: pg.PoolClient): Promise<string[]> {
    const ids = await jobsRepository.insert(jobs, client);
    // in the order given: rows queued in one transaction are otherwise taken in the order of their random ids, and
    // a search's tiles are ordered so that a worker taking them one after another reads one block per tile
    for (const [index, id] of ids.entries()) await env.dispatch({ id, kind: jobs[index].kind, priority: ids.length - index }, client);
    return ids;
  }

  /**
   * Of children settling at once, the one that sees none left ends the parent's wait (the parent
   * row is locked meanwhile). Answers the parent whose finish step it queued.
   */
  async function settleParent(parentId: string, env: RunEnv, client: pg.PoolClient): Promise<string | null> {
    const locked = await jobsRepository.lockChildren(parentId, client);
    if (!locked || locked.parent.status !== 'running' || locked.parent.phase !== 'waiting') return null;
    const { parent, children } = locked;
    if (children.queued + children.running > 0) return null;
    if (children.failed > 0) {
      const first = children.firstFailure;
      await jobsRepository.failWaiting(
        parentId,
        `${children.failed} of ${children.total} ${children.kind} jobs failed; ${first ? `${first.id}: ${first.error}` : ''}`,
        client,
      );
      return parent.parentId ? settleParent(parent.parentId, env, client) : null;
    }
    await jobsRepository.queueFinish(parentId, client);
    await env.dispatch(parent, client);
    return parentId;
  }

  /**
   * Writes the end of an attempt. The process that ends the last child runs the parent's finish
   * step itself (its delivery from the queue is then dropped at the claim): no poll interval in
   * between, and a draining worker completes the scan whose last batch it ran.
   */
  async function complete(job: JobRow, kind: JobKind<Json>, params: Json, attempt: Attempt, outcome: Exclude<JobOutcome, void>, env: RunEnv) {
    const finishNext = await withTransaction(async (client) => {
      if (outcome.children?.length) {
        if (!(await jobsRepository.startWaiting(attempt, env.inline, outcome.result, client))) throw new JobStoppedError(job.id);
        env.onWaiting?.(job.id);
        await insertAndDispatch(
          outcome.children.map((spec) => newJob(spec, env, { createdById: job.createdById, parentId: job.id })),
          env,
          client,
        );
        return null;
      }
      const status = outcome.error ? 'failed' : 'done';
      if (!(await jobsRepository.finishAttempt(attempt, status, outcome.error ?? null, outcome.result, client))) throw new JobStoppedError(job.id);
      if (status === 'done') {
        const followUps = kind.then?.(params, { ...job.result, ...outcome.result }) ?? [];
        await insertAndDispatch(
          followUps.map((spec) => newJob(spec, env, { createdById: job.createdById, followsId: job.id })),
          env,
          client,
        );
      }
      return job.parentId ? settleParent(job.parentId, env, client) : null;
    });
    if (finishNext) await execute(finishNext, env);
  }

  async function failAttempt(job: JobRow, attempt: Attempt, error: unknown, env: RunEnv) {
    const reason = error instanceof ZodError ? `bad parameters: ${error.issues.map((issue) => issue.message).join('; ')}` : (error as Error).message;
    await withTransaction(async (client) => {
      const status = await jobsRepository.failAttempt(attempt, reason, !isPermanent(error), client);
      if (status === 'queued') {
        env.log(`job ${job.kind} ${job.id}: attempt ${attempt.attempt} failed (${reason}); trying again`);
        await env.dispatch(job, client, env.inline ? undefined : retryDelaySeconds(attempt.attempt));
      } else if (status === 'failed') {
        env.log(`job ${job.kind} ${job.id} failed: ${reason}`);
        await jobsRepository.cancelChildrenOf([job.id], client);
        if (job.parentId) await settleParent(job.parentId, env, client);
      }
    });
  }

  /** One attempt of a queued row: claimed (or dropped, when it is no longer queued), run, and its end written. */
  async function execute(jobId: string, env: RunEnv): Promise<void> {
    const job = await jobsRepository.claim(jobId, thisRunner());
    if (!job) return;
    const kind = kindOf(job.kind);
    const attempt: Attempt = { id: job.id, attempt: job.attempts, runner: thisRunner() };
    const release = heartbeat.hold(job.id);
    try {
      await pauseForTests(job.kind);
      const params = kind.params.parse(job.params);
      const context: JobContext<Json> = {
        job,
        params,
        log: env.log,
        inline: env.inline,
        progress: new JobProgress(job.id, (snapshot) => env.onProgress(job, snapshot), 1000, attempt),
        mergeParams: (patch) => jobsRepository.mergeParams(job.id, patch),
        parent: async () => (job.parentId ? jobsRepository.row(job.parentId) : null),
        throwIfStopped: () => {
          if (heartbeat.stopped(job.id)) throw new JobStoppedError(job.id);
        },
      };
      let outcome = (job.phase === 'finish' ? await kind.finish?.(context, await jobsRepository.children(job.id)) : await kind.run(context)) ?? {};
      if (outcome.children?.length === 0 && kind.finish) {
        // nothing to fan out: the finish step follows in this attempt
        const finished = (await kind.finish(context, NO_CHILDREN)) ?? {};
        outcome = { result: { ...outcome.result, ...finished.result }, error: finished.error };
      }
      await complete(job, kind, params as Json, attempt, outcome, env);
    } catch (error) {
      if (error instanceof JobStoppedError) {
        env.log(error.message);
        return;
      }
      await failAttempt(job, attempt, error, env);
    } finally {
      release();
    }
  }

  /**
   * Running rows whose process stopped: gone from this host, or silent for 12 heartbeats wherever
   * it ran. Each is requeued while it has attempts left, else failed with the reason.
   */
  async function reapInterrupted(log: Log = () => {}): Promise<number> {
    const host = os.hostname();
    const dead = (await jobsRepository.runnersOn(host)).filter((runner) => !isAlive(Number(runner.slice(host.length + 1))));
    const env = queueEnv(log);
    return withTransaction(async (client) => {
      const reaped = await jobsRepository.reap(heartbeatSeconds() * STALE_BEATS, dead, client);
      for (const job of reaped) {
        log(`job ${job.kind} ${job.id} was interrupted: ${job.status === 'queued' ? 'queued again' : 'failed'}`);
        if (job.status === 'queued') await env.dispatch(job, client);
      }
      const failed = reaped.filter((job) => job.status === 'failed');
      await jobsRepository.cancelChildrenOf(
        failed.map((job) => job.id),
        client,
      );
      for (const job of failed) if (job.parentId) await settleParent(job.parentId, env, client);
      return reaped.length;
    });
  }

  const queueEnv = (log: Log): RunEnv => ({ inline: false, log, dispatch: queueDispatch, onProgress: () => {} });

  function translateUniqueViolation(kind: string) {
    return async (error: unknown): Promise<never> => {
      if ((error as { code?: string }).code !== '23505') throw error;
      const active = await jobsRepository.active(kind);
      throw conflict(`${kind} ${active?.id ?? ''} is already ${active?.status ?? 'active'}: wait for it or cancel it first`, { id: active?.id });
    };
  }

  return {
    reapInterrupted,

    /** Records a job and hands it to the queue in one transaction; a worker picks it up. */
    async enqueue(kind: JobName, params: Json, createdById: number | null): Promise<{ id: string }> {
      const env = queueEnv(() => {});
      const [id] = await withTransaction((client) => insertAndDispatch([newJob({ kind, params }, env, { createdById })], env, client)).catch(
        translateUniqueViolation(kind),
      );
      return { id };
    },

    /** Runs one delivery from the queue. */
    runQueued: (jobId: string, log: Log) => execute(jobId, queueEnv(log)),

    /**
     * Runs a job in this process the way workers would: its children and follow-ups run here too,
     * one after another, with the same attempts. Progress of the job and its children is summed
     * for the caller's progress bar. Jobs an earlier, killed run left behind are reaped first.
     */
    async runInline(
      kind: JobName,
      params: Json,
      options: { log: Log; onProgress?: (snapshot: ProgressSnapshot) => void; createdById?: number | null },
    ): Promise<JobRow> {
      await reapInterrupted(options.log);
      const pending: string[] = [];
      // a row waiting for its children is held by this process too: if it dies, the wait ends
      const releases: (() => void)[] = [];
      const snapshots = new Map<string, ProgressSnapshot & { top: string }>();
      const env: RunEnv = {
        inline: true,
        log: options.log,
        dispatch: async (job) => void pending.push(job.id),
        onWaiting: (jobId) => releases.push(heartbeat.hold(jobId)),
        onProgress: (job, snapshot) => {
          if (job.phase === 'finish') return;
          const top = job.parentId ?? job.id;
          snapshots.set(job.id, { ...snapshot, top });
          const family = [...snapshots.entries()].filter(([, s]) => s.top === top);
          options.onProgress?.({
            total: snapshots.get(top)?.total ?? snapshot.total,
            done: family.reduce((sum, [, s]) => sum + s.done, 0),
            failed: family.reduce((sum, [, s]) => sum + s.failed, 0),
          });
        },
      };
      const [id] = await withTransaction((client) =>
        insertAndDispatch([newJob({ kind, params }, env, { createdById: options.createdById ?? null })], env, client),
      ).catch(translateUniqueViolation(kind));
      try {
        while (pending.length) await execute(pending.shift()!, env);
      } finally {
        releases.forEach((release) => release());
      }
      return (await jobsRepository.row(id))!;
    },

    async cancel(jobId: string) {
      if (!(await jobsRepository.row(jobId))) throw notFound(`no job ${jobId}`);
      if (!(await jobsRepository.cancel(jobId))) throw badRequest('the job is not queued or running');
    },

    /** A failed or cancelled job runs again under the same id, from where its data says it stopped. */
    async retry(jobId: string) {
      const job = await jobsRepository.row(jobId);
      if (!job || job.parentId) throw notFound(`no job ${jobId}`);
      if (job.status !== 'failed' && job.status !== 'cancelled') throw badRequest(`only failed or cancelled jobs can be retried (this one is ${job.status})`);
      await withTransaction(async (client) => {
        await jobsRepository.requeue(jobId, client);
        await queueDispatch(job, client);
      }).catch(translateUniqueViolation(job.kind));
    },
  };
}

/**
 * The worker's side: beats for the jobs it runs and reaps the rows of workers that stopped, every
 * heartbeat, until stopped.
 */
export function superviseJobs(runner: ReturnType<typeof jobRunner>, log: Log): () => void {
  const reap = async () => {
    await runner.reapInterrupted(log);
  };
  heartbeat.keepAlive++;
  heartbeat.onBeat.push(reap);
  heartbeat.start();
  void heartbeat.beat();
  return () => {
    heartbeat.onBeat.splice(heartbeat.onBeat.indexOf(reap), 1);
    heartbeat.keepAlive--;
    heartbeat.stopWhenIdle();
  };
}

/** Tests set FACESIFT_TEST_PAUSE_JOB to a job kind to hold a worker inside such a job and stop or kill it there. */
async function pauseForTests(kind: string) {
  if (!process.env.FACESIFT_TEST_PAUSE_JOB?.split(',').includes(kind)) return;
  process.stderr.write(`paused in job ${kind} (FACESIFT_TEST_PAUSE_JOB)\n`);
  await new Promise(() => {});
}
