import { jobsRepository, type Attempt, type JobCounters } from '@/lib/repositories/jobs';
import type { JobError } from '@/lib/schemas/responses';

/** The job was cancelled, or its attempt was taken over after missed heartbeats: its work stops, writing nothing more. */
export class JobStoppedError extends Error {
  constructor(jobId: string) {
    super(`job ${jobId} stopped: it was cancelled or taken over by another worker`);
  }
}

export interface ProgressSnapshot {
  total: number;
  done: number;
  failed: number;
}

/**
 * Progress is data: counts go to the Job row at most once a second (so a fast scan does not
 * write a row per image), which is also where a cancel from the UI is noticed.
 */
export class JobProgress {
  private pendingDone = 0;
  private pendingFailed = 0;
  private pendingErrors: JobError[] = [];
  private lastFlush = 0;
  readonly local: ProgressSnapshot = { total: 0, done: 0, failed: 0 };

  constructor(
    readonly jobId: string,
    private readonly onChange: (snapshot: ProgressSnapshot) => void = () => {},
    private readonly flushEveryMs = 1000,
    private readonly attempt?: Attempt,
  ) {}

  async setTotal(total: number) {
    this.local.total = total;
    await jobsRepository.setTotal(this.jobId, total);
    this.onChange(this.local);
  }

  /** Counters that a retried job already earned in an earlier attempt. */
  async setCounters(done: number, failed: number) {
    Object.assign(this.local, { done, failed });
    await jobsRepository.setCounters(this.jobId, done, failed);
    this.onChange(this.local);
  }

  async advance(done: number, failures: JobError[] = []) {
    this.pendingDone += done;
    this.pendingFailed += failures.length;
    this.pendingErrors.push(...failures);
    this.local.done += done;
    this.local.failed += failures.length;
    this.onChange(this.local);
    if (Date.now() - this.lastFlush >= this.flushEveryMs) await this.flush();
  }

  /** Problems worth showing that are not failed items (a folder that could not be read, say). */
  async report(errors: JobError[]) {
    if (errors.length) await jobsRepository.addProgress(this.jobId, 0, 0, errors);
  }

  async flush(): Promise<JobCounters> {
    const counters = await jobsRepository.addProgress(this.jobId, this.pendingDone, this.pendingFailed, this.pendingErrors, this.attempt);
    this.pendingDone = 0;
    this.pendingFailed = 0;
    this.pendingErrors = [];
    this.lastFlush = Date.now();
    if (counters?.status === 'cancelled' || counters?.held === false) throw new JobStoppedError(this.jobId);
    return counters;
  }
}
