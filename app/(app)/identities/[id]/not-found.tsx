import Link from 'next/link';

export default function PersonNotFound() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-xl font-semibold">No such person</h1>
      <p className="mt-2 text-stone-500">This person folder is not in the dataset.</p>
      <Link href="/identities" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        All people
      </Link>
    </div>
  );
}
