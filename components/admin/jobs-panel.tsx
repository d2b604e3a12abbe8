'use client';

import Link from 'next/link';
import { useCallback, useEffect, useId, useState } from 'react';
import type { JobView } from '@/lib/schemas/responses';
import { api } from '@/components/api';
import { isActive } from '@/components/admin/format';
import { JobCard } from '@/components/admin/job-card';
import { Button } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';

/** Polls the job list: every second while a job is queued or running, every five otherwise (a scan started from the CLI shows up too). */
function useJobs(initial: JobView[]) {
  const [jobs, setJobs] = useState(initial);
  const [offline, setOffline] = useState(false);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(async () => {
    try {
      setJobs((await api<{ items: JobView[] }>('/api/jobs')).items);
      setOffline(false);
    } catch {
      setOffline(true);
    }
  }, []);
  const active = jobs.some((job) => isActive(job.status));
  useEffect(() => {
    let stopped = false;
    const timer = setTimeout(
      async () => {
        if (!document.hidden) await refresh();
        if (!stopped) setTick((n) => n + 1);
      },
      active ? 1000 : 5000,
    );
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [tick, active, refresh]);
  return { jobs, offline, refresh };
}

function Choice({
  name,
  value,
  checked,
  onChange,
  title,
  hint,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: () => void;
  title: string;
  hint: string;
}) {
  const id = useId();
  return (
    <label className="flex cursor-pointer gap-2 rounded-md border border-stone-200 p-3 has-checked:border-sky-600 has-checked:bg-sky-50 dark:border-stone-700 dark:has-checked:border-sky-500 dark:has-checked:bg-sky-950/40">
      <input
        type="radio"
        name={name}
        value={value}
        checked={checked}
        onChange={onChange}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-hint`}
        className="mt-1 accent-sky-700"
      />
      <span>
        <span id={`${id}-title`} className="block font-medium">
          {title}
        </span>
        <span id={`${id}-hint`} className="block text-sm text-stone-500 dark:text-stone-400">
          {hint}
        </span>
      </span>
    </label>
  );
}

function StartScanForm({ datasetRoot, onStarted }: { datasetRoot: string | null; onStarted: () => Promise<void> }) {
  const [mode, setMode] = useState<'incremental' | 'full'>('incremental');
  const [search, setSearch] = useState(true);
  const [allowGone, setAllowGone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const start = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      await api('/api/scans', { method: 'POST', body: { mode, search, allowGone } });
      await onStarted();
    } catch (error) {
      setMessage((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel className="p-4" aria-labelledby="start-scan">
      <form onSubmit={start} className="space-y-4">
        <div className="flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="start-scan" className="text-lg font-medium">
            Start a rescan
          </h2>
          <p className="text-sm text-stone-500 dark:text-stone-400">
            {datasetRoot ? (
              <>
                Dataset: <span className="font-mono text-stone-700 dark:text-stone-300">{datasetRoot}</span>
              </>
            ) : (
              <>
                No dataset root yet: set it in{' '}
                <Link href="/admin/settings" className="text-sky-700 underline dark:text-sky-400">
                  Settings
                </Link>{' '}
                first.
              </>
            )}
          </p>
        </div>
        <fieldset className="grid gap-3 md:grid-cols-2">
          <legend className="sr-only">Which images</legend>
          <Choice
            name="mode"
            value="incremental"
            checked={mode === 'incremental'}
            onChange={() => setMode('incremental')}
            title="Incremental"
            hint="Only new and changed images are embedded: seconds on an unchanged dataset."
          />
          <Choice
            name="mode"
            value="full"
            checked={mode === 'full'}
            onChange={() => setMode('full')}
            title="Full"
            hint="Every image is embedded again, e.g. after replacing the model files."
          />
        </fieldset>
        <fieldset className="grid gap-3 md:grid-cols-2">
          <legend className="sr-only">What to do after embedding</legend>
          <Choice
            name="search"
            value="search"
            checked={search}
            onChange={() => setSearch(true)}
            title="Embed + search"
            hint="Then find cross-identity pairs, duplicates, outliers and merge suggestions anew."
          />
          <Choice
            name="search"
            value="embed"
            checked={!search}
            onChange={() => setSearch(false)}
            title="Embed only"
            hint="Update the vectors; the review lists stay as they are until the next search."
          />
        </fieldset>
        <label className="flex items-start gap-2 text-sm text-stone-600 dark:text-stone-400">
          <input type="checkbox" checked={allowGone} onChange={(event) => setAllowGone(event.target.checked)} className="mt-1 accent-sky-700" />
          <span>
            Accept that most images are gone. A scan that finds more than half of the images missing stops without changing them, since an unmounted disk looks
            just like that; tick this only when they really were removed.
          </span>
        </label>
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" disabled={busy || !datasetRoot}>
            {busy ? 'Starting…' : 'Start scan'}
          </Button>
          {message && (
            <p role="alert" className="text-sm text-red-700 dark:text-red-400">
              {message}
            </p>
          )}
        </div>
      </form>
    </Panel>
  );
}

export function JobsPanel({ initialJobs, datasetRoot }: { initialJobs: JobView[]; datasetRoot: string | null }) {
  const { jobs, offline, refresh } = useJobs(initialJobs);
  const [actionError, setActionError] = useState<string | null>(null);
  const onAction = async (action: 'cancel' | 'retry', job: JobView) => {
    setActionError(null);
    try {
      if (action === 'cancel') await api(`/api/jobs/${job.id}`, { method: 'DELETE' });
      else await api(`/api/jobs/${job.id}/retry`, { method: 'POST' });
    } catch (error) {
      setActionError((error as Error).message);
    }
    await refresh();
  };
  return (
    <div className="space-y-6">
      <StartScanForm datasetRoot={datasetRoot} onStarted={refresh} />
      <section className="space-y-3" aria-labelledby="jobs-heading">
        <div className="flex items-baseline gap-3">
          <h2 id="jobs-heading" className="text-lg font-medium">
            Jobs
          </h2>
          <span className="text-sm text-stone-500 dark:text-stone-400">scans, searches and imports, newest first, updated live</span>
          {offline && (
            <span role="status" className="text-sm text-amber-700 dark:text-amber-400">
              lost contact with the server; retrying…
            </span>
          )}
        </div>
        {actionError && (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {actionError}
          </p>
        )}
        {jobs.length === 0 ? (
          <p className="rounded-lg border border-dashed border-stone-300 p-6 text-center text-stone-500 dark:border-stone-700 dark:text-stone-400">
            No jobs yet.
          </p>
        ) : (
          <ul className="space-y-3" data-testid="jobs">
            {jobs.map((job) => (
              <JobCard key={job.id} job={job} onAction={onAction} />
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
