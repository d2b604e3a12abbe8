import Image from 'next/image';
import Link from 'next/link';
import type { SessionUser } from '@/lib/schemas/responses';
import { NavLinks } from '@/components/nav-links';
import { ProgressMeter } from '@/components/progress-meter';

const links = [
  { href: '/', label: 'Dashboard' },
  { href: '/pairs', label: 'Pairs' },
  { href: '/identities', label: 'People' },
  { href: '/outliers', label: 'Outliers' },
  { href: '/identities/merge', label: 'Merge' },
];

export function NavBar({ user }: { user: SessionUser }) {
  return (
    <header className="border-b border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
      <nav className="mx-auto flex max-w-7xl items-center gap-2 px-4 py-2.5 text-sm">
        <Link href="/" className="mr-3 flex items-center gap-2 text-base font-semibold tracking-tight">
          <Image src="/logo.svg" alt="" width={24} height={24} unoptimized priority />
          facesift
        </Link>
        <NavLinks links={user.role === 'admin' ? [...links, { href: '/admin', label: 'Admin' }] : links} />
        <span className="ml-auto" />
        <ProgressMeter />
        <span className="ml-3 text-stone-500" data-testid="current-user">
          {user.name} · {user.role}
        </span>
        <form method="post" action="/api/auth/signout">
          <button type="submit" className="ml-2 rounded-md border border-stone-300 px-3 py-1 hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800">
            Sign out
          </button>
        </form>
      </nav>
    </header>
  );
}
