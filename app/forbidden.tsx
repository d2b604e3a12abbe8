import Link from 'next/link';

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-md p-10 text-center">
      <h1 className="text-2xl font-semibold">403 — admins only</h1>
      <p className="mt-3 text-stone-600 dark:text-stone-400">Your account is a curator account. Ask an admin if you need this page.</p>
      <Link href="/" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        Back to the dashboard
      </Link>
    </main>
  );
}
