const tones = {
  queued: 'bg-stone-400 dark:bg-stone-500',
  running: 'bg-sky-600 dark:bg-sky-500',
  done: 'bg-emerald-600 dark:bg-emerald-500',
  failed: 'bg-rose-600 dark:bg-rose-500',
  cancelled: 'bg-stone-400 dark:bg-stone-600',
} as const;

/** `percent` null: work of unknown size is under way (a pulsing bar, no value). */
export function ProgressBar({ percent, status, label }: { percent: number | null; status: keyof typeof tones; label: string }) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent ?? undefined}
      className="h-2.5 w-full overflow-hidden rounded-full bg-stone-200 dark:bg-stone-800"
    >
      {percent === null ? (
        <div className={`h-full w-1/3 animate-pulse rounded-full ${tones[status]}`} />
      ) : (
        <div className={`h-full rounded-full transition-[width] duration-700 ease-out ${tones[status]}`} style={{ width: `${percent}%` }} />
      )}
    </div>
  );
}
