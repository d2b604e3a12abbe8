/** Bands for how alike two faces are: the higher across two folders, the likelier a mistake. */
export function similarityBand(value: number): { label: string; bar: string; text: string } {
  if (value >= 0.8) return { label: 'very high', bar: 'bg-rose-500', text: 'text-rose-700 dark:text-rose-300' };
  if (value >= 0.65) return { label: 'high', bar: 'bg-amber-500', text: 'text-amber-700 dark:text-amber-300' };
  if (value >= 0.5) return { label: 'moderate', bar: 'bg-sky-500', text: 'text-sky-700 dark:text-sky-300' };
  return { label: 'low', bar: 'bg-stone-400', text: 'text-stone-600 dark:text-stone-400' };
}

export function Similarity({ value, large = false }: { value: number; large?: boolean }) {
  const band = similarityBand(value);
  return (
    <span className="inline-flex items-center gap-2" title={`similarity ${value.toFixed(3)} (${band.label})`} data-testid="similarity">
      <span className={`font-semibold tabular-nums ${band.text} ${large ? 'text-lg' : 'text-sm'}`}>{value.toFixed(3)}</span>
      <span className={`relative h-1.5 overflow-hidden rounded-full bg-stone-200 dark:bg-stone-700 ${large ? 'w-20' : 'w-12'}`} aria-hidden>
        <span className={`absolute inset-y-0 left-0 rounded-full ${band.bar}`} style={{ width: `${Math.max(0, Math.min(1, value)) * 100}%` }} />
      </span>
      <span className="sr-only">{band.label}</span>
    </span>
  );
}
