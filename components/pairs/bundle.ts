import type { IdentityWithImages, PairDetail } from '@/lib/schemas/responses';
import { api } from '@/components/api';
import { imageUrl } from '@/components/image-url';

export type { PairDetail };
export type Person = IdentityWithImages;

/** Everything the review screen shows for one pair. */
export interface Bundle {
  pair: PairDetail;
  people: { a: Person; b: Person };
}

/** Images shown next to each side; one or two of those fetched may be the pair's own. */
export const STRIP_SIZE = 10;
export const STRIP_FETCH = STRIP_SIZE + 2;

export function stripImages(person: Person, pair: PairDetail) {
  return person.images.filter((image) => image.id !== pair.a.imageId && image.id !== pair.b.imageId).slice(0, STRIP_SIZE);
}

/** Loads bundles through the API; a person's strip is fetched once per session, as pairs repeat people. */
export function bundleLoader(seed: Bundle) {
  const people = new Map<string, Promise<Person>>([
    [seed.people.a.name, Promise.resolve(seed.people.a)],
    [seed.people.b.name, Promise.resolve(seed.people.b)],
  ]);
  const person = (name: string) => {
    let pending = people.get(name);
    if (!pending) {
      pending = api<Person>(`/api/identities/by-name/${encodeURIComponent(name)}?limit=${STRIP_FETCH}`);
      pending.catch(() => people.delete(name));
      people.set(name, pending);
    }
    return pending;
  };
  return async (id: number): Promise<Bundle> => {
    const pair = await api<PairDetail>(`/api/pairs/${id}`);
    const [a, b] = await Promise.all([person(pair.a.identity), person(pair.b.identity)]);
    return { pair, people: { a, b } };
  };
}

/** The URLs a bundle's screen will show, so they can be in the browser's cache before it does. */
export function bundleImageUrls({ pair, people }: Bundle): string[] {
  return [
    imageUrl(pair.a.imageId, 'full', pair.a.hash),
    imageUrl(pair.b.imageId, 'full', pair.b.hash),
    ...[...stripImages(people.a, pair), ...stripImages(people.b, pair)].map((image) => imageUrl(image.id, 'thumb', image.hash)),
  ];
}
