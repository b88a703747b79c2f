import { describe, expect, it } from 'vitest';
import { walkPages } from '../../../src/scim/listing.js';
import type { ListPage } from '../../../src/scim/resource.js';
import { listAll } from '../../helpers/listing.js';

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

/** The walk, its pages kept by id as the engine's consumers keep them. */
const walkAll = (readPage: (startIndex: number, count: number) => Promise<ListPage<Item>>, pageSize: number) =>
  listAll<Item>((onPage) => walkPages(readPage, pageSize, onPage));

describe('walking every page of a listing', () => {
  it('walks startIndex by itemsPerPage and reports a clean walk as complete', async () => {
    const { readPage, asked } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 5, itemsPerPage: 2 },
      3: { resources: items('c', 'd'), totalResults: 5, itemsPerPage: 2 },
      5: { resources: items('e'), totalResults: 5, itemsPerPage: 1 },
    });
    const listing = await walkAll(readPage, 2);
    expect(listing).toEqual({ resources: items('a', 'b', 'c', 'd', 'e'), complete: true, duplicatesSeen: 0 });
    expect(asked).toEqual([1, 3, 5]);
  });

  it('hands each page to the consumer as it arrives, and holds none of them itself', async () => {
    const { readPage } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 3, itemsPerPage: 2 },
      3: { resources: items('c'), totalResults: 3, itemsPerPage: 1 },
    });
    const pages: string[][] = [];
    const walk = await walkPages(readPage, 2, (page) => {
      pages.push(page.map((item) => item.id));
      return page.length;
    });
    expect(pages).toEqual([['a', 'b'], ['c']]);
    expect(walk).toEqual({ complete: true, duplicatesSeen: 0 });
  });

  it('marks the walk incomplete when the consumer met an id on two pages', async () => {
    // Unstable order: 'b' shows twice and 'd' never, yet the count adds up to totalResults.
    const { readPage } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 4, itemsPerPage: 2 },
      3: { resources: items('b', 'c'), totalResults: 4, itemsPerPage: 2 },
    });
    const listing = await walkAll(readPage, 2);
    expect(listing.resources.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(listing.complete).toBe(false);
    expect(listing.duplicatesSeen).toBe(1);
  });

  it('takes the consumer at its word on what was new', async () => {
    const { readPage } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 4, itemsPerPage: 2 },
      3: { resources: items('c', 'd'), totalResults: 4, itemsPerPage: 2 },
    });
    // A consumer whose store already held one object of the second page.
    expect(await walkPages(readPage, 2, (page) => (page[0]?.id === 'c' ? 1 : page.length))).toEqual({ complete: false, duplicatesSeen: 1 });
  });

  it('marks the walk incomplete when totalResults changes between pages', async () => {
    const { readPage } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: 3, itemsPerPage: 2 },
      3: { resources: items('c', 'd'), totalResults: 4, itemsPerPage: 2 },
    });
    const listing = await walkAll(readPage, 2);
    expect(listing.resources).toHaveLength(4);
    expect(listing.complete).toBe(false);
  });

  it('stops at an empty page and calls a walk short of totalResults incomplete', async () => {
    const { readPage } = scriptedPages({ 1: { resources: items('a', 'b'), totalResults: 10, itemsPerPage: 2 } });
    const listing = await walkAll(readPage, 2);
    expect(listing).toEqual({ resources: items('a', 'b'), complete: false, duplicatesSeen: 0 });
  });

  it('ends at a short page when there is no totalResults, and calls that walk complete', async () => {
    const { readPage, asked } = scriptedPages({
      1: { resources: items('a', 'b'), totalResults: undefined, itemsPerPage: undefined },
      3: { resources: items('c'), totalResults: undefined, itemsPerPage: undefined },
    });
    expect(await walkAll(readPage, 2)).toEqual({ resources: items('a', 'b', 'c'), complete: true, duplicatesSeen: 0 });
    expect(asked).toEqual([1, 3]);
  });

  it('reads an empty listing as complete, without calling the consumer', async () => {
    const { readPage } = scriptedPages({ 1: { resources: [], totalResults: 0, itemsPerPage: 0 } });
    let calls = 0;
    expect(await walkPages(readPage, 100, () => (calls += 1))).toEqual({ complete: true, duplicatesSeen: 0 });
    expect(calls).toBe(0);
  });

  it('asks for the next page while the consumer keeps this one, never more than one page ahead', async () => {
    const events: string[] = [];
    const pages: Record<number, ListPage<Item>> = {
      1: { resources: items('a', 'b'), totalResults: 5, itemsPerPage: 2 },
      3: { resources: items('c', 'd'), totalResults: 5, itemsPerPage: 2 },
      5: { resources: items('e'), totalResults: 5, itemsPerPage: 1 },
    };
    const readPage = async (startIndex: number): Promise<ListPage<Item>> => {
      events.push(`read ${startIndex}`);
      return pages[startIndex] as ListPage<Item>;
    };
    const walk = await walkPages(readPage, 2, async (page) => {
      events.push(`keep ${page[0]?.id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`kept ${page[0]?.id}`);
      return page.length;
    });
    expect(walk).toEqual({ complete: true, duplicatesSeen: 0 });
    expect(events).toEqual(['read 1', 'read 3', 'keep a', 'kept a', 'read 5', 'keep c', 'kept c', 'keep e', 'kept e']);
  });

  it('fails with the consumer, once the page read ahead has settled', async () => {
    let settled = false;
    const readPage = async (startIndex: number): Promise<ListPage<Item>> => {
      if (startIndex === 1) return { resources: items('a', 'b'), totalResults: 4, itemsPerPage: 2 };
      await new Promise((resolve) => setTimeout(resolve, 20));
      settled = true;
      throw new Error('the read ahead failed too');
    };
    await expect(walkPages(readPage, 2, () => Promise.reject(new Error('the store refused the page')))).rejects.toThrow('the store refused the page');
    expect(settled).toBe(true);
  });

  it('fails with a page that could not be read', async () => {
    const readPage = async (startIndex: number): Promise<ListPage<Item>> => {
      if (startIndex === 1) return { resources: items('a', 'b'), totalResults: 4, itemsPerPage: 2 };
      throw new Error('Notion answered 500');
    };
    const kept: string[] = [];
    await expect(walkPages(readPage, 2, (page) => kept.push(...page.map((item) => item.id)) && page.length)).rejects.toThrow('Notion answered 500');
    expect(kept).toEqual(['a', 'b']);
  });
});
