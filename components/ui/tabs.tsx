import Link from 'next/link';

/** A row of links that filter one list (statuses); the current one is underlined and marked for assistive tech. */
export function Tabs({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <nav aria-label={label} className="flex flex-wrap gap-1 border-b border-stone-200 dark:border-stone-800">
      {children}
    </nav>
  );
}

export function TabLink({ href, current, testId, children }: { href: string; current: boolean; testId?: string; children: React.ReactNode }) {
  return (
    <Link
      href={href}
      aria-current={current ? 'page' : undefined}
      data-testid={testId}
      className={`-mb-px border-b-2 px-3 py-2 text-sm ${current ? 'border-sky-600 font-medium text-stone-900 dark:text-white' : 'border-transparent text-stone-500 hover:text-stone-800 dark:hover:text-stone-200'}`}
    >
      {children}
    </Link>
  );
}
