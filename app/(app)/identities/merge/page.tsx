import Link from 'next/link';
import { TabLink, Tabs } from '@/components/ui/tabs';
import { AppError } from '@/lib/errors';
import { listIdentityPairsSchema, type ListIdentityPairsQuery } from '@/lib/schemas/candidates';
import type { IdentityPairItem, Page } from '@/lib/schemas/responses';
import { listIdentityPairs } from '@/lib/services/candidates';
import { Similarity } from '@/components/similarity';
import { StatusBadge } from '@/components/status-badge';
import { ButtonLink } from '@/components/ui/button';
import { Panel } from '@/components/ui/panel';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'Merge suggestions · facesift' };

const STATUSES: ListIdentityPairsQuery['status'][] = ['open', 'same', 'different', 'all'];

export default async function MergeSuggestionsPage({ searchParams }: { searchParams: Promise<{ status?: string; cursor?: string }> }) {
  await requirePageUser();
  const params = await searchParams;
  const query = listIdentityPairsSchema.safeParse({ status: params.status || 'open', cursor: params.cursor || undefined, limit: 50 });
  const status = query.success ? query.data.status : 'open';
  let page: Page<IdentityPairItem> = { items: [], nextCursor: null };
  let problem = query.success ? null : 'Those filters are not valid';
  if (query.success) {
    try {
      page = await listIdentityPairs(query.data);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problem = error.message;
    }
  }
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Merge suggestions</h1>
        <p className="text-sm text-stone-500">
          Two folders whose faces are alike as a whole: perhaps one person filed under two names. Strongest evidence first.
        </p>
      </div>
      <Tabs label="Status">
        {STATUSES.map((s) => (
          <TabLink key={s} href={s === 'open' ? '/identities/merge' : `/identities/merge?status=${s}`} current={s === status}>
            {s}
          </TabLink>
        ))}
      </Tabs>
      {problem && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {problem}.{' '}
          <Link href="/identities/merge" className="underline">
            Start again
          </Link>
        </p>
      )}
      <Panel className="overflow-hidden">
        {page.items.length === 0 ? (
          <p className="p-8 text-center text-stone-500">No {status === 'all' ? '' : `${status} `}merge suggestions.</p>
        ) : (
          <table className="w-full text-left text-sm" data-testid="merge-table">
            <thead className="border-b border-stone-200 text-xs tracking-wide text-stone-500 uppercase dark:border-stone-800">
              <tr>
                <th className="px-3 py-2 font-medium">Folders</th>
                <th className="px-3 py-2 font-medium">Centroids</th>
                <th className="px-3 py-2 font-medium">Pairs</th>
                <th className="px-3 py-2 font-medium">Max · mean</th>
                <th className="px-3 py-2 font-medium">Status</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-stone-100 dark:divide-stone-800/70">
              {page.items.map((item) => (
                <tr key={item.id} className="hover:bg-stone-50 dark:hover:bg-stone-800/40">
                  <td className="px-3 py-2">
                    <Link href={`/identities/merge/${item.id}`} className="font-medium hover:underline">
                      {item.a} <span className="text-stone-400">+</span> {item.b}
                    </Link>
                  </td>
                  <td className="px-3 py-2">
                    <Similarity value={item.centroidSimilarity} />
                  </td>
                  <td className="px-3 py-2 tabular-nums">{item.pairCount.toLocaleString('en')}</td>
                  <td className="px-3 py-2 tabular-nums text-stone-600 dark:text-stone-400">
                    {item.maxSimilarity.toFixed(3)} · {item.meanSimilarity.toFixed(3)}
                  </td>
                  <td className="px-3 py-2">
                    <StatusBadge status={item.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.nextCursor && (
          <div className="flex justify-end border-t border-stone-200 px-3 py-2 dark:border-stone-800">
            <ButtonLink href={`/identities/merge?status=${status}&cursor=${page.nextCursor}`}>Next →</ButtonLink>
          </div>
        )}
      </Panel>
    </div>
  );
}
