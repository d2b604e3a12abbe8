export default function AdminLoading() {
  return <p className="text-stone-500 dark:text-stone-400">Loading…</p>;
}
