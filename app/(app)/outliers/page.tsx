import Link from 'next/link';
import { TabLink, Tabs } from '@/components/ui/tabs';
import { AppError } from '@/lib/errors';
import { listOutliersSchema, type ListOutliersQuery } from '@/lib/schemas/candidates';
import type { OutlierCard as Card } from '@/lib/schemas/responses';
import { listOutliers } from '@/lib/services/candidates';
import { outlierCards } from '@/lib/services/identities';
import { OutlierCard } from '@/components/outliers/outlier-card';
import { ButtonLink } from '@/components/ui/button';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'Outliers · facesift' };

const STATUSES: ListOutliersQuery['status'][] = ['open', 'mislabeled', 'fine', 'all'];
const PAGE_SIZE = 24;

function href(status: string, identity?: string, cursor?: string) {
  const params = new URLSearchParams();
  if (status !== 'open') params.set('status', status);
  if (identity) params.set('identity', identity);
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  return query ? `/outliers?${query}` : '/outliers';
}

export default async function OutliersPage({ searchParams }: { searchParams: Promise<{ status?: string; identity?: string; cursor?: string }> }) {
  await requirePageUser();
  const params = await searchParams;
  const query = listOutliersSchema.safeParse({
    status: params.status || 'open',
    identity: params.identity || undefined,
    cursor: params.cursor || undefined,
    limit: PAGE_SIZE,
  });
  const status = query.success ? query.data.status : 'open';
  const identity = query.success ? query.data.identity : undefined;
  let cards: Card[] = [];
  let nextCursor: string | null = null;
  let problem = query.success ? null : 'Those filters are not valid';
  if (query.success) {
    try {
      const page = await listOutliers(query.data);
      cards = await outlierCards(page.items);
      nextCursor = page.nextCursor;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      problem = error.message;
    }
  }
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Outliers{identity && <span className="text-stone-500"> in {identity}</span>}</h1>
        <p className="text-sm text-stone-500">Images least like the rest of their folder, the least alike first. Is each in the right folder?</p>
      </div>
      <Tabs label="Status">
        {STATUSES.map((s) => (
          <TabLink key={s} href={href(s, identity)} current={s === status}>
            {s}
          </TabLink>
        ))}
        {identity && (
          <Link href={href(status)} className="ml-auto self-center text-sm text-sky-700 hover:underline dark:text-sky-400">
            all people
          </Link>
        )}
      </Tabs>
      {problem && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {problem}.{' '}
          <Link href="/outliers" className="underline">
            Start again
          </Link>
        </p>
      )}
      {cards.length === 0 && !problem ? (
        <p className="py-8 text-center text-stone-500">No {status === 'all' ? '' : `${status} `}outliers.</p>
      ) : (
        <div className="space-y-3">
          {cards.map((card) => (
            <OutlierCard key={card.id} card={card} />
          ))}
        </div>
      )}
      {nextCursor && (
        <div className="flex justify-end">
          <ButtonLink href={href(status, identity, nextCursor)}>Next →</ButtonLink>
        </div>
      )}
    </div>
  );
}
