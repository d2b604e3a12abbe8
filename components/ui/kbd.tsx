export function Kbd({ children }: { children: React.ReactNode }) {
  return (
    <kbd className="inline-flex min-w-5 items-center justify-center rounded border border-stone-300 bg-stone-100 px-1 font-mono text-[11px] leading-4 text-stone-600 shadow-[0_1px_0_0] shadow-stone-300 dark:border-stone-600 dark:bg-stone-800 dark:text-stone-300 dark:shadow-stone-700">
      {children}
    </kbd>
  );
}
