export default function Loading() {
  return (
    <div className="space-y-3" aria-busy="true" aria-label="Loading the pair">
      <div className="h-9 w-80 animate-pulse rounded bg-stone-200 dark:bg-stone-800" />
      <div className="grid grid-cols-2 gap-4">
        <div className="h-[44vh] min-h-52 animate-pulse rounded-lg bg-stone-200 dark:bg-stone-800" />
        <div className="h-[44vh] min-h-52 animate-pulse rounded-lg bg-stone-200 dark:bg-stone-800" />
      </div>
    </div>
  );
}
