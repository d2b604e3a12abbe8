import { fileName, imageUrl } from '@/components/image-url';

const SIZES = { xs: 'size-10', sm: 'size-12', md: 'size-16', lg: 'size-32', fill: 'aspect-square w-full' } as const;

export interface ThumbImage {
  id: number;
  hash?: string | null;
  path: string;
}

/** A thumbnail in a square on a neutral ground: faces keep their proportions, never stretched or cropped. */
export function Thumb({ image, size = 'sm', className = '' }: { image: ThumbImage; size?: keyof typeof SIZES; className?: string }) {
  return (
    <img
      src={imageUrl(image.id, 'thumb', image.hash)}
      alt={fileName(image.path)}
      title={image.path}
      loading="lazy"
      decoding="async"
      className={`${SIZES[size]} shrink-0 rounded bg-stone-200 object-contain dark:bg-stone-800 ${className}`}
    />
  );
}
