// The full paged walk of a listing: de-duplicated by id, and honest about whether it saw everything.
import type { ListPage } from './resource.js';

/** complete=false when the walk saw duplicate ids or a changing totalResults: never infer absence from it. */
export interface ScimListing<T> {
  resources: T[];
  complete: boolean;
  duplicatesSeen: number;
}

/**
 * Walks pages with `startIndex += itemsPerPage` (reference §2.5). Notion cannot sort, so an offset walk can
 * skip one entry and repeat another while the count still adds up: a duplicate id marks the walk incomplete.
 */
export async function readAllPages<T extends { id: string }>(
  readPage: (startIndex: number, count: number) => Promise<ListPage<T>>,
  pageSize: number,
): Promise<ScimListing<T>> {
  const byId = new Map<string, T>();
  let duplicatesSeen = 0;
  let firstTotal: number | undefined;
  let totalChanged = false;
  let received = 0;
  let startIndex = 1;
  for (;;) {
    const page = await readPage(startIndex, pageSize);
    firstTotal ??= page.totalResults;
    if (page.totalResults !== undefined && page.totalResults !== firstTotal) totalChanged = true;
    for (const resource of page.resources) {
      if (byId.has(resource.id)) duplicatesSeen += 1;
      else byId.set(resource.id, resource);
    }
    received += page.resources.length;
    const total = page.totalResults;
    const finished =
      page.resources.length === 0 ||
      (total !== undefined && received >= total) ||
      // Without totalResults, a short page is the last one.
      (total === undefined && page.resources.length < pageSize);
    if (finished) break;
    startIndex += page.itemsPerPage !== undefined && page.itemsPerPage > 0 ? page.itemsPerPage : page.resources.length;
  }
  const resources = [...byId.values()];
  // Fewer distinct objects than announced means something was skipped (or removed mid-walk): not a full picture.
  const shortOfTotal = firstTotal !== undefined && resources.length < firstTotal;
  return { resources, complete: duplicatesSeen === 0 && !totalChanged && !shortOfTotal, duplicatesSeen };
}
