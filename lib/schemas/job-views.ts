/**
 * What GET /api/jobs, GET /api/jobs/[id] and the admin jobs page receive of a job (dates as ISO
 * strings). The fields up to etaSeconds are the original contract; the rest were added with the job
 * runner and describe attempts, children (embed batches, search tiles) and the workers that ran them.
 */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobErrorView {
  path?: string;
  reason: string;
}

/** One attempt that failed or was interrupted, with why. */
export interface JobAttemptView {
  attempt: number;
  runner: string | null;
  reason: string;
  at: string;
}

/** The child jobs a job fanned out to: tiles done/total of a search, embed batches of a scan. */
export interface JobChildrenView {
  kind: string | null;
  total: number;
  queued: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** A process that worked on the job (its children, or the job itself), with its throughput. */
export interface JobWorkerView {
  /** host:pid */
  runner: string;
  heartbeatAt: string | null;
  /** items (images, pairs, rows: the kind's unit) it counted */
  items: number;
  seconds: number;
  /** items per second while it ran; null before it counted any */
  rate: number | null;
}

export interface JobView {
  id: string;
  kind: string;
  status: JobStatus;
  params: Record<string, unknown>;
  total: number;
  done: number;
  failed: number;
  /** how many per-item failures are stored (the latest 500, which the detail lists) */
  errorCount: number;
  error: string | null;
  createdBy: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** items per second since the job started; null before the first item */
  rate: number | null;
  /** seconds left at that rate, while running */
  etaSeconds: number | null;
  /** run | waiting (for its children) | finish (its last step) */
  phase: string;
  attempts: number;
  maxAttempts: number;
  failedAttempts: JobAttemptView[];
  /** host:pid of the process running it now */
  runner: string | null;
  heartbeatAt: string | null;
  /** the job whose completion queued this one (a scan, for its search) */
  followsId: string | null;
  children: JobChildrenView | null;
  workers: JobWorkerView[];
}

export interface JobDetail extends JobView {
  errors: JobErrorView[];
}
