import Link from 'next/link';
import { listIdentitiesSchema } from '@/lib/schemas/identities';
import { searchIdentities } from '@/lib/services/identities';
import { Panel } from '@/components/ui/panel';
import { Button } from '@/components/ui/button';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'People · facesift' };

const SHOWN = 200;

export default async function PeoplePage({ searchParams }: { searchParams: Promise<{ q?: string }> }) {
  await requirePageUser();
  const query = listIdentitiesSchema.shape.q.safeParse(((await searchParams).q ?? '').trim());
  const q = query.success ? query.data : '';
  const people = query.success ? await searchIdentities(q, SHOWN + 1) : [];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">People</h1>
          <p className="text-sm text-stone-500">One folder per person. Open one to see all its images, outliers marked.</p>
        </div>
        <form method="get" className="flex gap-2" role="search">
          <input name="q" defaultValue={q} aria-label="Folder name starts with" placeholder="folder name starts with…" className="field w-64 py-1.5 text-sm" />
          <Button type="submit">Find</Button>
        </form>
      </div>
      <Panel>
        {people.length === 0 ? (
          <p className="p-8 text-center text-stone-500">No person folder {q ? `starts with “${q}”` : 'yet'}.</p>
        ) : (
          <ul className="grid grid-cols-[repeat(auto-fill,minmax(14rem,1fr))] divide-stone-100 dark:divide-stone-800">
            {people.slice(0, SHOWN).map((person) => (
              <li key={person.id}>
                <Link
                  href={`/identities/${person.id}`}
                  className="flex items-baseline justify-between gap-2 px-4 py-2.5 hover:bg-stone-50 dark:hover:bg-stone-800/50"
                >
                  <span className="truncate font-medium">{person.name}</span>
                  <span className="shrink-0 text-xs text-stone-500 tabular-nums">
                    {person.imageCount} images
                    {person.flaggedOutliers > 0 && <span className="ml-1 text-amber-700 dark:text-amber-400">· {person.flaggedOutliers} outliers</span>}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
        {people.length > SHOWN && (
          <p className="border-t border-stone-200 px-4 py-2 text-sm text-stone-500 dark:border-stone-800">
            The first {SHOWN} are shown; type more of a name to narrow.
          </p>
        )}
      </Panel>
    </div>
  );
}
