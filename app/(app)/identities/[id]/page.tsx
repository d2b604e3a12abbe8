import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AppError } from '@/lib/errors';
import { idParamSchema } from '@/lib/schemas/candidates';
import type { IdentityWithImages } from '@/lib/schemas/responses';
import { getIdentity } from '@/lib/services/identities';
import { Gallery } from '@/components/identities/gallery';
import { pairsHref } from '@/components/pairs/view';
import { Badge } from '@/components/ui/badge';
import { requirePageUser } from '@/lib/auth/page-user';

async function load(id: string): Promise<IdentityWithImages | null> {
  const parsed = idParamSchema.safeParse(id);
  if (!parsed.success) return null;
  try {
    return await getIdentity({ id: parsed.data });
  } catch (error) {
    if (error instanceof AppError && error.status === 404) return null;
    throw error;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const person = await load((await params).id);
  return { title: `${person?.name ?? 'Person'} · facesift` };
}

export default async function PersonPage({ params }: { params: Promise<{ id: string }> }) {
  await requirePageUser();
  const person = await load((await params).id);
  if (!person) notFound();
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <Link href="/identities" className="text-sm text-stone-500 hover:underline">
            ← People
          </Link>
          <h1 className="flex items-center gap-3 text-2xl font-semibold">
            {person.name} {person.gone && <Badge tone="rose">folder gone</Badge>}
          </h1>
          <p className="text-sm text-stone-500">
            {person.imageCount} images
            {person.flaggedOutliers > 0 && `, ${person.flaggedOutliers} flagged as outliers (ringed: least like the rest of the folder)`}
          </p>
        </div>
        <div className="flex gap-4 text-sm">
          <Link href={pairsHref({ identity: person.name, status: 'all' })} className="text-sky-700 hover:underline dark:text-sky-400">
            Pairs with {person.name} →
          </Link>
          <Link href={`/outliers?identity=${encodeURIComponent(person.name)}`} className="text-sky-700 hover:underline dark:text-sky-400">
            Outliers →
          </Link>
        </div>
      </div>
      <Gallery identity={person.name} images={person.images} testId="gallery" />
    </div>
  );
}
