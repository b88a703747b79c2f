// The paged walk of a listing, handed on page by page (issue 14: never held whole), and honest about whether it saw
// everything.
import type { ListPage } from './resource.js';

/** complete=false when the walk saw duplicate ids, a changing totalResults, or fewer objects than announced: never infer absence from it. */
export interface ListingWalk {
  complete: boolean;
  duplicatesSeen: number;
}

/**
 * Keeps what it needs of one page and answers how many of the page's resources it had not seen before (by id). The
 * walk holds no ids itself: the consumer knows what it keeps (a store table, a set of ids, nothing at all).
 */
export type PageConsumer<T> = (resources: T[]) => Promise<number> | number;

/**
 * Walks pages with `startIndex += itemsPerPage` (reference §2.5). Notion cannot sort, so an offset walk can skip one
 * entry and repeat another while the count still adds up: a duplicate id marks the walk incomplete.
 *
 * The next page is asked for as soon as a page's answer says where it starts, while the consumer keeps this one: the
 * walk then costs the slower of reading and keeping, not their sum (a spool of 100,000 users: 8 s reading, 10 s writing
 * to the store). At most one page is read ahead, and a read ahead is settled before the walk returns or throws.
 */
export async function walkPages<T>(
  readPage: (startIndex: number, count: number) => Promise<ListPage<T>>,
  pageSize: number,
  onPage: PageConsumer<T>,
): Promise<ListingWalk> {
  let distinct = 0;
  let duplicatesSeen = 0;
  let firstTotal: number | undefined;
  let totalChanged = false;
  let received = 0;
  let startIndex = 1;
  let next: Promise<ListPage<T>> | undefined = readPage(startIndex, pageSize);
  try {
    while (next) {
      const page: ListPage<T> = await next;
      next = undefined;
      firstTotal ??= page.totalResults;
      if (page.totalResults !== undefined && page.totalResults !== firstTotal) totalChanged = true;
      received += page.resources.length;
      const total = page.totalResults;
      const finished =
        page.resources.length === 0 ||
        (total !== undefined && received >= total) ||
        // Without totalResults, a short page is the last one.
        (total === undefined && page.resources.length < pageSize);
      if (!finished) {
        startIndex += page.itemsPerPage !== undefined && page.itemsPerPage > 0 ? page.itemsPerPage : page.resources.length;
        next = readPage(startIndex, pageSize);
        // Handled here; awaited (and any failure thrown) on the next turn, or settled in `finally`.
        next.catch(() => undefined);
      }
      const fresh = page.resources.length === 0 ? 0 : await onPage(page.resources);
      distinct += fresh;
      duplicatesSeen += page.resources.length - fresh;
    }
  } finally {
    await next?.catch(() => undefined);
  }
  // Fewer distinct objects than announced means something was skipped (or removed mid-walk): not a full picture.
  const shortOfTotal = firstTotal !== undefined && distinct < firstTotal;
  return { complete: duplicatesSeen === 0 && !totalChanged && !shortOfTotal, duplicatesSeen };
}
