import { encodeCursor } from '@/lib/schemas/primitives';
import type { PairItem } from '@/lib/schemas/responses';
import { listPairs } from '@/lib/services/candidates';
import { flipSort, PAGE_SIZE, type PairsView } from '@/components/pairs/view';

const keyOf = (item: PairItem) => encodeCursor(item.similarity, item.id);

/**
 * One page of the list in either direction. Keyset cursors only run forwards, so "previous" reads
 * the list in the opposite order from the first row shown and turns the rows around; when that
 * reaches the start, the first page is shown whole instead of a short one.
 */
export async function loadPairsPage(view: PairsView, position: { cursor?: string; before?: string }) {
  if (position.before) {
    const back = await listPairs({ ...view, sort: flipSort(view.sort), cursor: position.before, limit: PAGE_SIZE });
    if (back.nextCursor) {
      const items = back.items.reverse();
      return { items, next: keyOf(items[items.length - 1]), previous: keyOf(items[0]) };
    }
  }
  const cursor = position.before ? undefined : position.cursor;
  const page = await listPairs({ ...view, cursor, limit: PAGE_SIZE });
  return { items: page.items, next: page.nextCursor, previous: cursor ? (page.items[0] ? keyOf(page.items[0]) : cursor) : null };
}
