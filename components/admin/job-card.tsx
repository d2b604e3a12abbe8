'use client';

import { useEffect, useState } from 'react';
import type { JobDetail, JobError, JobView } from '@/lib/schemas/responses';
import { api } from '@/components/api';
import { childName, formatCount, formatDuration, formatRate, formatTime, isActive, jobTitle, percentOf, unitOf } from '@/components/admin/format';
import { ProgressBar } from '@/components/admin/progress-bar';
import { Badge, type Tone } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';

const statusTones: Record<JobView['status'], Tone> = { queued: 'neutral', running: 'sky', done: 'emerald', failed: 'rose', cancelled: 'neutral' };

function phase(job: JobView): string | null {
  if (job.status === 'queued') return 'Waiting for a worker to pick it up…';
  if (job.status === 'running' && job.total === 0) return job.kind === 'scan' ? 'Reading the dataset folders…' : 'Starting…';
  return null;
}

/** The stored failures, fetched when opened and again whenever more arrive. */
function Failures({ job }: { job: JobView }) {
  const [open, setOpen] = useState(false);
  const [errors, setErrors] = useState<JobError[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    api<JobDetail>(`/api/jobs/${job.id}`)
      .then((detail) => setErrors(detail.errors))
      .catch((error: Error) => setProblem(error.message));
  }, [open, job.id, job.errorCount]);
  const label = job.errorCount === 1 ? '1 problem' : `${formatCount(job.errorCount)} problems`;
  return (
    <details className="text-sm" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-amber-800 select-none dark:text-amber-300">
        {label} {job.errorCount >= 500 ? '(the latest 500 are kept)' : ''}
      </summary>
      {problem && <p className="mt-1 text-red-700 dark:text-red-400">{problem}</p>}
      {errors && (
        <ul className="mt-2 max-h-64 space-y-1 overflow-auto rounded-md bg-stone-50 p-2 font-mono text-xs dark:bg-stone-950" data-testid="job-failures">
          {errors.map((error, index) => (
            <li key={index}>
              {error.path && <span className="text-stone-900 dark:text-stone-100">{error.path}</span>}
              {error.path && ': '}
              <span className="text-stone-600 dark:text-stone-400">{error.reason}</span>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}

/** A job whose parts are its own unit (a search's tiles) counts them in its progress line already. */
const partsAreItsUnit = (job: JobView, unit: string) => !!job.children && childName(job.children.kind) === unit;

/** Who ran the job's parts and how fast: one row per worker process (host:pid). */
function Workers({ job, unit }: { job: JobView; unit: string }) {
  const children = partsAreItsUnit(job, unit) ? null : job.children;
  if (!children && job.workers.length === 0) return null;
  return (
    <div className="space-y-1 text-sm text-stone-600 tabular-nums dark:text-stone-400">
      {children && (
        <p data-testid="job-children">
          {formatCount(children.done)} / {formatCount(children.total)} {childName(children.kind)} done
          {children.running > 0 && ` · ${formatCount(children.running)} running`}
          {children.failed > 0 && ` · ${formatCount(children.failed)} failed`}
        </p>
      )}
      {job.workers.length > 0 && (
        <ul className="space-y-0.5" data-testid="job-workers" aria-label="Workers">
          {job.workers.map((worker) => (
            <li key={worker.runner} className="flex flex-wrap gap-x-3">
              <span className="font-mono text-stone-800 dark:text-stone-200">{worker.runner}</span>
              <span>
                {formatCount(worker.items)} {worker.items === 1 ? unit.replace(/s$/, '') : unit}
              </span>
              {worker.rate !== null && <span>{formatRate(worker.rate, unit)}</span>}
              {worker.heartbeatAt && (
                <span>
                  last heartbeat{' '}
                  <time dateTime={worker.heartbeatAt} suppressHydrationWarning>
                    {formatTime(worker.heartbeatAt)}
                  </time>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Attempts that failed or were interrupted before the job went on (or gave up), with why. */
function Attempts({ job }: { job: JobView }) {
  if (job.failedAttempts.length === 0) return null;
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-amber-800 select-none dark:text-amber-300">
        {job.failedAttempts.length === 1 ? '1 attempt' : `${job.failedAttempts.length} attempts`} failed or interrupted
      </summary>
      <ul className="mt-1 space-y-1 font-mono text-xs" data-testid="job-attempts">
        {job.failedAttempts.map((attempt, index) => (
          <li key={index}>
            attempt {attempt.attempt} on {attempt.runner ?? 'an unknown worker'}: {attempt.reason}
          </li>
        ))}
      </ul>
    </details>
  );
}

export function JobCard({ job, onAction }: { job: JobView; onAction: (action: 'cancel' | 'retry', job: JobView) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const percent = job.status === 'running' && job.total === 0 ? null : percentOf(job);
  const { unit, timed } = unitOf(job.kind);
  const ownUnitParts = partsAreItsUnit(job, unit) ? job.children : null;
  const act = async (action: 'cancel' | 'retry') => {
    setBusy(true);
    try {
      await onAction(action, job);
    } finally {
      setBusy(false);
    }
  };
  const facts = [
    job.total > 0 && `${formatCount(job.done + job.failed)} / ${formatCount(job.total)} ${unit}`,
    job.total === 0 && job.status === 'done' && `no ${job.kind === 'scan' ? 'new or changed ' : ''}${unit} to do`,
    ownUnitParts && ownUnitParts.running > 0 && `${formatCount(ownUnitParts.running)} running`,
    job.failed > 0 && `${formatCount(job.failed)} failed`,
    timed && job.rate !== null && job.total > 0 && formatRate(job.rate, unit),
    timed && job.etaSeconds !== null && `about ${formatDuration(job.etaSeconds)} left`,
    job.status !== 'running' && job.startedAt && job.finishedAt && `took ${formatDuration((Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000)}`,
  ].filter(Boolean);

  return (
    <li data-testid="job" data-job-id={job.id} data-status={job.status}>
      <Panel className="space-y-2 p-4">
        <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
          <span className="font-medium">{jobTitle(job)}</span>
          <Badge tone={statusTones[job.status]}>{job.status}</Badge>
          <span className="ml-auto text-sm text-stone-500 dark:text-stone-400">
            started by {job.createdBy ?? 'the command line'} ·{' '}
            <time dateTime={job.createdAt} suppressHydrationWarning>
              {formatTime(job.createdAt)}
            </time>
          </span>
          {isActive(job.status) && (
            <Button disabled={busy} onClick={() => act('cancel')}>
              Cancel
            </Button>
          )}
          {(job.status === 'failed' || job.status === 'cancelled') && (
            <Button variant="primary" disabled={busy} onClick={() => act('retry')}>
              Retry
            </Button>
          )}
        </div>
        <div className="flex items-center gap-3">
          <ProgressBar percent={percent} status={job.status} label={`${jobTitle(job)} progress`} />
          <span className="w-12 text-right text-sm tabular-nums" data-testid="job-percent">
            {percent === null ? '' : `${percent}%`}
          </span>
        </div>
        <p className="text-sm text-stone-600 tabular-nums dark:text-stone-400" data-testid="job-facts">
          {phase(job) ?? facts.join(' · ')}
        </p>
        {job.error && (
          <p className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200" data-testid="job-error">
            {job.error}
          </p>
        )}
        <Workers job={job} unit={unit} />
        <Attempts job={job} />
        {job.errorCount > 0 && <Failures job={job} />}
      </Panel>
    </li>
  );
}
