import Link from 'next/link';
import { TabLink, Tabs } from '@/components/ui/tabs';
import { cache, Suspense } from 'react';
import { AppError } from '@/lib/errors';
import { reviewProgress } from '@/lib/services/decisions';
import { PairFilters } from '@/components/pairs/pair-filters';
import { PairsTable } from '@/components/pairs/pairs-table';
import { pairsHref, parsePairsView, type PairsView, type SearchParams } from '@/components/pairs/view';
import { ButtonLink } from '@/components/ui/button';
import { Kbd } from '@/components/ui/kbd';
import { Panel } from '@/components/ui/panel';
import { loadPairsPage } from './load';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'Pairs · facesift' };

const STATUSES: { status: PairsView['status']; label: string }[] = [
  { status: 'open', label: 'Open' },
  { status: 'mislabeled', label: 'Mislabeled' },
  { status: 'duplicate', label: 'Duplicate' },
  { status: 'fine', label: 'Fine' },
  { status: 'decided', label: 'Decided' },
  { status: 'all', label: 'All' },
];

/** Counting every pair's status is the slow part of this page: it streams in after the rows. */
const progress = cache(reviewProgress);

export default async function PairsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePageUser();
  const { view, cursor, before, problem } = parsePairsView(await searchParams);
  // started now, read by the streamed parts below
  void progress();
  let page: Awaited<ReturnType<typeof loadPairsPage>> | null = null;
  let pageProblem = problem;
  try {
    page = await loadPairsPage(view, { cursor, before });
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    pageProblem = error.message;
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Pairs</h1>
          <p className="text-sm text-stone-500">
            Two images from different folders that look alike, or the same picture twice. Open one and decide from the keyboard.
          </p>
        </div>
        <Suspense>
          <ReviewSummary />
        </Suspense>
      </div>

      <Suspense fallback={<StatusTabs view={view} counts={null} />}>
        <CountedStatusTabs view={view} />
      </Suspense>

      <PairFilters view={view} />

      {pageProblem && (
        <p role="alert" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-200">
          {pageProblem}.{' '}
          <Link href="/pairs" className="underline">
            Start from the first page
          </Link>
        </p>
      )}

      {page && (
        <Panel className="overflow-hidden">
          {page.items.length === 0 ? (
            <p className="p-8 text-center text-stone-500">No pairs match this view.</p>
          ) : (
            <PairsTable items={page.items} view={view} />
          )}
          <div className="flex items-center justify-between border-t border-stone-200 px-3 py-2 text-sm dark:border-stone-800">
            <span className="text-stone-500">
              <Kbd>j</Kbd> <Kbd>k</Kbd> move between rows · <Kbd>Enter</Kbd> opens one
            </span>
            <div className="flex gap-2">
              {page.previous ? (
                <ButtonLink href={pairsHref(view, { before: page.previous })} rel="prev">
                  ← Previous
                </ButtonLink>
              ) : null}
              {page.next ? (
                <ButtonLink href={pairsHref(view, { cursor: page.next })} rel="next">
                  Next →
                </ButtonLink>
              ) : null}
            </div>
          </div>
        </Panel>
      )}
    </div>
  );
}

async function CountedStatusTabs({ view }: { view: PairsView }) {
  const { pairs } = await progress();
  return <StatusTabs view={view} counts={{ ...pairs, decided: pairs.total - pairs.open, all: pairs.total }} />;
}

function StatusTabs({ view, counts }: { view: PairsView; counts: Record<string, number> | null }) {
  return (
    <Tabs label="Status">
      {STATUSES.map(({ status, label }) => (
        <TabLink key={status} href={pairsHref({ ...view, status })} current={status === view.status} testId={`status-${status}`}>
          {label}{' '}
          <span className="ml-1 inline-block min-w-6 rounded-full bg-stone-100 px-1.5 text-center text-xs text-stone-600 tabular-nums dark:bg-stone-800 dark:text-stone-300">
            {counts ? (counts[status] ?? 0).toLocaleString('en') : '…'}
          </span>
        </TabLink>
      ))}
    </Tabs>
  );
}

async function ReviewSummary() {
  const { pairs, reviewers } = await progress();
  return (
    <div className="text-right text-sm" data-testid="review-summary">
      <div>
        <span className="font-semibold tabular-nums">{(pairs.total - pairs.open).toLocaleString('en')}</span> reviewed ·{' '}
        <span className="font-semibold tabular-nums">{pairs.open.toLocaleString('en')}</span> left
      </div>
      <div className="text-stone-500">
        {reviewers.length === 0 ? 'no decisions yet' : `by ${reviewers.map((r) => `${r.name} (${r.decisions.toLocaleString('en')})`).join(', ')}`}
      </div>
    </div>
  );
}
