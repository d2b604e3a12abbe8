import { notFound } from 'next/navigation';
import { AppError } from '@/lib/errors';
import { idParamSchema } from '@/lib/schemas/candidates';
import { encodeCursor } from '@/lib/schemas/primitives';
import { getPair } from '@/lib/services/decisions';
import { getIdentity } from '@/lib/services/identities';
import { STRIP_FETCH, type Bundle } from '@/components/pairs/bundle';
import { PairReview } from '@/components/pairs/pair-review';
import { parsePairsView, type SearchParams } from '@/components/pairs/view';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'Review · facesift' };

/** The first pair comes with the page; the client loads every later one through the API. */
async function loadBundle(id: number): Promise<Bundle | null> {
  try {
    const pair = await getPair(id);
    const [a, b] = await Promise.all([getIdentity({ name: pair.a.identity }, STRIP_FETCH), getIdentity({ name: pair.b.identity }, STRIP_FETCH)]);
    return { pair, people: { a, b } };
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
}

export default async function PairReviewPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> }) {
  await requirePageUser();
  const id = idParamSchema.safeParse((await params).id);
  const bundle = id.success ? await loadBundle(id.data) : null;
  if (!bundle) notFound();
  const { view } = parsePairsView(await searchParams);
  return <PairReview key={bundle.pair.id} initial={bundle} view={view} cursor={encodeCursor(bundle.pair.similarity, bundle.pair.id)} />;
}
