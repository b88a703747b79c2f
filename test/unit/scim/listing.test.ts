import { describe, expect, it } from 'vitest';
import { readAllPages } from '../../../src/scim/listing.js';
import type { ListPage } from '../../../src/scim/resource.js';

type Item = { id: string };
const items = (...ids: string[]): Item[] => ids.map((id) => ({ id }));

/** Serves pages from a script keyed by startIndex, and records which startIndexes were asked for. */
function scriptedPages(pages: Record<number, ListPage<Item>>) {
  const asked: number[] = [];
  const readPage = async (startIndex: number): Promise<ListPage<Item>> => {
    asked.push(startIndex);
    return pages[startIndex] ?? { resources: [], totalResults: undefined, itemsPerPage: 0 };
  };
  return { readPage, asked };
}

describe('reading every page of a listing', () => {
  it('walks startIndex by itemsPerPage and reports a clean walk as complete', async () => {
    const { readPage, asked } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 5, itemsPerPage: 2 },
      3: { resources: items('c', 'd'), totalResults: 5, itemsPerPage: 2 },
      5: { resources: items('e'), totalResults: 5, itemsPerPage: 1 },
    });
    const listing = await readAllPages(readPage, 2);
    expect(listing).toEqual({ resources: items('a', 'b', 'c', 'd', 'e'), complete: true, duplicatesSeen: 0 });
    expect(asked).toEqual([1, 3, 5]);
  });

  it('keeps one copy of an id seen on two pages and marks the walk incomplete', async () => {
    // Unstable order: 'b' shows twice and 'd' never, yet the count adds up to totalResults.
    const { readPage } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 4, itemsPerPage: 2 },
      3: { resources: items('b', 'c'), totalResults: 4, itemsPerPage: 2 },
    });
    const listing = await readAllPages(readPage, 2);
    expect(listing.resources.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(listing.complete).toBe(false);
    expect(listing.duplicatesSeen).toBe(1);
  });

  it('marks the walk incomplete when totalResults changes between pages', async () => {
    const { readPage } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 3, itemsPerPage: 2 },
      3: { resources: items('c', 'd'), totalResults: 4, itemsPerPage: 2 },
    });
    const listing = await readAllPages(readPage, 2);
    expect(listing.resources).toHaveLength(4);
    expect(listing.complete).toBe(false);
  });

  it('stops at an empty page and calls a walk short of totalResults incomplete', async () => {
    const { readPage } = scriptedPages({ 1: { resources: items('a', 'b'), totalResults: 10, itemsPerPage: 2 } });
    const listing = await readAllPages(readPage, 2);
    expect(listing).toEqual({ resources: items('a', 'b'), complete: false, duplicatesSeen: 0 });
  });

  it('reads an empty listing as complete', async () => {
    const { readPage } = scriptedPages({ 1: { resources: [], totalResults: 0, itemsPerPage: 0 } });
    expect(await readAllPages(readPage, 100)).toEqual({ resources: [], complete: true, duplicatesSeen: 0 });
  });
});
