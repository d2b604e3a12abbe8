import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AppError } from '@/lib/errors';
import { idParamSchema } from '@/lib/schemas/candidates';
import { encodeCursor } from '@/lib/schemas/primitives';
import type { MergeSuggestion } from '@/lib/schemas/responses';
import { listIdentityPairs } from '@/lib/services/candidates';
import { getMergeSuggestion } from '@/lib/services/identities';
import { Gallery } from '@/components/identities/gallery';
import { MergeVerdict } from '@/components/identities/merge-review';
import { Similarity } from '@/components/similarity';
import { Thumb } from '@/components/thumb';
import { Panel } from '@/components/ui/panel';
import { requirePageUser } from '@/lib/auth/page-user';

export const metadata = { title: 'Merge suggestion · facesift' };

async function load(id: string): Promise<MergeSuggestion | null> {
  const parsed = idParamSchema.safeParse(id);
  if (!parsed.success) return null;
  try {
    return await getMergeSuggestion(parsed.data);
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
}

function Figure({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-stone-500">{label}</dt>
      <dd className="font-semibold tabular-nums">{children}</dd>
    </div>
  );
}

export default async function MergeSuggestionPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const suggestion = await load((await params).id);
  if (!suggestion) notFound();
  const next = await listIdentityPairs({
    status: 'open',
    sort: 'score',
    cursor: encodeCursor(suggestion.evidence.score, suggestion.id),
    limit: 1,
  });
  const { a, b, evidence, strongest } = suggestion;
  return (
    <div className="space-y-4" data-testid="merge-suggestion">
      <div>
        <Link href="/identities/merge" className="text-sm text-stone-500 hover:underline">
          ← Merge suggestions
        </Link>
        <h1 className="text-2xl font-semibold">
          Are <span className="text-sky-800 dark:text-sky-300">{a.name}</span> and <span className="text-sky-800 dark:text-sky-300">{b.name}</span> one person?
        </h1>
      </div>

      <Panel className="flex flex-wrap items-center gap-x-8 gap-y-3 px-4 py-3">
        <dl className="flex flex-wrap gap-x-8 gap-y-2">
          <Figure label="folder centroids">
            <Similarity value={evidence.centroidSimilarity} large />
          </Figure>
          <Figure label="image pairs found">{evidence.pairCount.toLocaleString('en')}</Figure>
          <Figure label="strongest pair">{evidence.maxSimilarity.toFixed(3)}</Figure>
          <Figure label="mean of pairs">{evidence.meanSimilarity.toFixed(3)}</Figure>
        </dl>
        {strongest.length > 0 && (
          <div className="min-w-0">
            <div className="mb-1 text-xs text-stone-500">Most similar pairs</div>
            <ul className="flex flex-wrap gap-3" data-testid="strongest-pairs">
              {strongest.map((pair) => (
                <li key={pair.id}>
                  <Link
                    href={`/pairs/${pair.id}?status=all&identity=${encodeURIComponent(a.name)}`}
                    className="flex items-center gap-1 rounded p-0.5 hover:bg-stone-100 dark:hover:bg-stone-800"
                    title={`pair ${pair.id}: ${pair.similarity.toFixed(3)}`}
                  >
                    <Thumb image={pair.a} size="xs" />
                    <Thumb image={pair.b} size="xs" />
                    <span className="ml-1 text-xs tabular-nums text-stone-500">{pair.similarity.toFixed(2)}</span>
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        )}
      </Panel>

      <MergeVerdict key={suggestion.id} suggestion={suggestion} nextId={next.items[0]?.id ?? null}>
        <div className="grid grid-cols-2 gap-4">
          {[a, b].map((person, at) => (
            <Panel key={person.id} className="p-3">
              <h2 className="mb-2 flex items-baseline justify-between gap-2">
                <span>
                  <span className="mr-2 rounded bg-stone-100 px-1.5 text-sm font-semibold dark:bg-stone-800">{at === 0 ? 'A' : 'B'}</span>
                  <Link href={`/identities/${person.id}`} className="font-semibold hover:underline">
                    {person.name}
                  </Link>
                </span>
                <span className="text-sm text-stone-500">{person.imageCount} images</span>
              </h2>
              <Gallery identity={person.name} images={person.images} dense testId={`gallery-${at === 0 ? 'a' : 'b'}`} />
              {person.imageCount > person.images.length && (
                <Link href={`/identities/${person.id}`} className="mt-2 inline-block text-sm text-sky-700 hover:underline dark:text-sky-400">
                  all {person.imageCount.toLocaleString('en')} images of {person.name} →
                </Link>
              )}
            </Panel>
          ))}
        </div>
      </MergeVerdict>
    </div>
  );
}
