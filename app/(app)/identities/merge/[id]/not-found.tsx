import Link from 'next/link';

export default function MergeSuggestionNotFound() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-xl font-semibold">No such merge suggestion</h1>
      <p className="mt-2 text-stone-500">A new search replaces the suggestions, so an old link can point at nothing. Its verdicts are kept.</p>
      <Link href="/identities/merge" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        All merge suggestions
      </Link>
    </div>
  );
}
