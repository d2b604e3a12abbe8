import { NavBar } from '@/components/nav-bar';
import { requirePageUser } from '@/lib/auth/page-user';

export default async function SignedInLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  return (
    <>
      <NavBar user={user} />
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
    </>
  );
}
