'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const active = (pathname: string, href: string) => (href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`));

export function NavLinks({ links }: { links: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <>
      {links.map((link) => {
        // the most specific link wins: on /identities/merge, Merge is lit and People is not
        const isActive = active(pathname, link.href) && !links.some((other) => other.href.length > link.href.length && active(pathname, other.href));
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={isActive ? 'page' : undefined}
            className={`rounded-md px-2 py-1 ${isActive ? 'bg-stone-100 font-medium text-stone-900 dark:bg-stone-800 dark:text-white' : 'text-stone-600 hover:text-stone-900 dark:text-stone-300 dark:hover:text-white'}`}
          >
            {link.label}
          </Link>
        );
      })}
    </>
  );
}
