export type ImageSize = 'thumb' | 'full';

/**
 * The one way pages address an image. With its content hash the URL names one version of the
 * bytes, so the server lets the browser keep it for good (see lib/services/images.ts).
 */
export function imageUrl(id: number, size: ImageSize, hash?: string | null): string {
  return `/api/images/${id}?size=${size}${hash ? `&v=${hash}` : ''}`;
}

export const fileName = (path: string) => path.slice(path.lastIndexOf('/') + 1);
