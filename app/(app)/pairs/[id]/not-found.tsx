import Link from 'next/link';

export default function PairNotFound() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-xl font-semibold">No such pair</h1>
      <p className="mt-2 text-stone-500">A new search replaces the pairs, so an old link can point at nothing. Its verdicts are kept.</p>
      <Link href="/pairs" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        Back to the pairs
      </Link>
    </div>
  );
}
