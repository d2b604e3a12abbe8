import { localPath } from '@/lib/auth/guard';
import Image from 'next/image';

export const metadata = { title: 'Sign in · facesift' };

function problem(error: string | undefined, retry: string | undefined): string | null {
  if (!error) return null;
  if (error !== 'wait') return 'Wrong name or password.';
  const seconds = Number(retry);
  return Number.isInteger(seconds) && seconds > 0
    ? `Too many sign-in attempts: try again in ${seconds} second${seconds === 1 ? '' : 's'}.`
    : 'Too many sign-in attempts: try again later.';
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; retry?: string; next?: string }> }) {
  const { error, retry, next } = await searchParams;
  const message = problem(error, retry);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <form
        method="post"
        action="/api/auth/signin"
        className="w-full max-w-sm space-y-4 rounded-xl border border-stone-200 bg-white p-8 shadow-sm dark:border-stone-800 dark:bg-stone-900"
      >
        <Image src="/logo.svg" alt="facesift" width={48} height={48} unoptimized priority />
        <h1 className="text-xl font-semibold">Sign in to facesift</h1>
        {message && (
          <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800 dark:bg-red-950 dark:text-red-200">
            {message}
          </p>
        )}
        <input type="hidden" name="next" value={localPath(next)} />
        <label className="block text-sm">
          Name
          <input name="name" autoComplete="username" required autoFocus className="field mt-1" />
        </label>
        <label className="block text-sm">
          Password
          <input name="password" type="password" autoComplete="current-password" required className="field mt-1" />
        </label>
        <button type="submit" className="w-full rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
          Sign in
        </button>
      </form>
    </main>
  );
}
