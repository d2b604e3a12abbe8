'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { api, DECIDED_EVENT } from '@/components/api';
import type { ReviewProgress } from '@/lib/schemas/responses';

const REFRESH_MS = 60_000;

/** Reviewed / total pairs in the header: counted along with this tab's verdicts, fetched afresh each minute. */
export function ProgressMeter() {
  const [progress, setProgress] = useState<ReviewProgress | null>(null);

  useEffect(() => {
    const load = () => api<ReviewProgress>('/api/progress').then(setProgress, () => undefined);
    const onDecided = (event: Event) => {
      const reviewed = (event as CustomEvent<number>).detail;
      setProgress((current) => current && { ...current, pairs: { ...current.pairs, open: current.pairs.open - reviewed } });
    };
    load();
    const interval = setInterval(load, REFRESH_MS);
    window.addEventListener(DECIDED_EVENT, onDecided);
    return () => {
      clearInterval(interval);
      window.removeEventListener(DECIDED_EVENT, onDecided);
    };
  }, []);

  if (!progress) return <span className="h-5 w-40 animate-pulse rounded bg-stone-200 dark:bg-stone-800" aria-hidden />;
  const { total, open } = progress.pairs;
  const reviewed = total - open;
  const share = total ? reviewed / total : 0;
  const who = progress.reviewers.map((r) => `${r.name}: ${r.decisions.toLocaleString('en')}`).join(', ');
  return (
    <Link
      href="/pairs"
      className="flex items-center gap-2 rounded px-1 text-stone-600 hover:text-stone-900 dark:text-stone-300 dark:hover:text-white"
      title={who ? `decisions by ${who}` : 'no decisions yet'}
      data-testid="progress-meter"
    >
      <span className="tabular-nums">
        {reviewed.toLocaleString('en')} / {total.toLocaleString('en')} reviewed
      </span>
      <span className="relative h-1.5 w-24 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-700" aria-hidden>
        <span className="absolute inset-y-0 left-0 rounded-full bg-emerald-500" style={{ width: `${share * 100}%` }} />
      </span>
    </Link>
  );
}
