import Link from 'next/link';
import type { GalleryImage } from '@/lib/schemas/responses';
import { fileName, imageUrl } from '@/components/image-url';
import { Thumb } from '@/components/thumb';
import { Badge } from '@/components/ui/badge';

const PROBLEMS: Record<string, string> = { unreadable: 'unreadable', no_face: 'no face', many_faces: 'several faces', pending: 'not analysed yet' };

/** A person's images; flagged outliers ringed and labelled with what they look like instead. */
export function Gallery({ identity, images, dense = false, testId }: { identity: string; images: GalleryImage[]; dense?: boolean; testId?: string }) {
  if (images.length === 0) return <p className="text-sm text-stone-500">No images in this folder.</p>;
  return (
    <ul
      className={`grid gap-3 ${dense ? 'grid-cols-[repeat(auto-fill,minmax(7rem,1fr))]' : 'grid-cols-[repeat(auto-fill,minmax(10rem,1fr))]'}`}
      data-testid={testId}
    >
      {images.map((image) => {
        const flagged = image.outlier?.flagged;
        return (
          <li key={image.id} className="min-w-0" data-outlier={flagged ? 'true' : undefined}>
            <a href={imageUrl(image.id, 'full', image.hash)} target="_blank" rel="noreferrer" className="block rounded">
              <Thumb image={image} size="fill" className={flagged ? 'ring-3 ring-amber-400 dark:ring-amber-500' : ''} />
            </a>
            <div className="mt-1 truncate text-xs" title={image.path}>
              {fileName(image.path)}
            </div>
            <div className="mt-0.5 flex flex-wrap gap-1">
              {flagged && image.outlier && (
                <Link href={`/outliers?identity=${encodeURIComponent(identity)}`} title="lower similarity to its own folder than the rest">
                  <Badge tone="amber">
                    outlier {image.outlier.score.toFixed(2)}
                    {image.outlier.nearestIdentity ? ` · like ${image.outlier.nearestIdentity}` : ''}
                  </Badge>
                </Link>
              )}
              {PROBLEMS[image.status] && <Badge tone="rose">{PROBLEMS[image.status]}</Badge>}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
