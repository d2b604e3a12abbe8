import Link from 'next/link';
import type { SessionUser } from '@/lib/auth/guard';

const links = [
  { href: '/', label: 'Dashboard' },
  { href: '/pairs', label: 'Pairs' },
  { href: '/outliers', label: 'Outliers' },
  { href: '/identities/merge', label: 'Merge' },
];

export function NavBar({ user }: { user: SessionUser }) {
  return (
    <header className="border-b border-stone-200 bg-white dark:border-stone-800 dark:bg-stone-900">
      <nav className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-3 text-sm">
        <Link href="/" className="text-base font-semibold tracking-tight">
          facesift
        </Link>
        {links.map((link) => (
          <Link key={link.href} href={link.href} className="text-stone-600 hover:text-stone-900 dark:text-stone-300 dark:hover:text-white">
            {link.label}
          </Link>
        ))}
        {user.role === 'admin' && (
          <Link href="/admin" className="text-stone-600 hover:text-stone-900 dark:text-stone-300 dark:hover:text-white">
            Admin
          </Link>
        )}
        <span className="ml-auto text-stone-500" data-testid="current-user">
          {user.name} · {user.role}
        </span>
        <form method="post" action="/api/auth/signout">
          <button type="submit" className="rounded-md border border-stone-300 px-3 py-1 hover:bg-stone-100 dark:border-stone-700 dark:hover:bg-stone-800">
            Sign out
          </button>
        </form>
      </nav>
    </header>
  );
}
