// SCIM list paging: 1-based startIndex, count clamped to the page cap, and Notion's unsorted order on demand (reference §2.5).
import { ScimHttpError } from './scim-error.js';

export interface PageRequest {
  startIndex: number;
  count: number;
}

/** Reads `startIndex` and `count`; without `count` a page is the cap (Notion's default for Users is a gap). */
export function readPageRequest(query: URLSearchParams, pageSizeCap: number): PageRequest {
  const startIndex = readInteger(query, 'startIndex') ?? 1;
  const count = readInteger(query, 'count') ?? pageSizeCap;
  // RFC 7644 §3.4.2.4: a startIndex below 1 is taken as 1 and a negative count as 0.
  return { startIndex: Math.max(1, startIndex), count: Math.min(Math.max(0, count), pageSizeCap) };
}

/**
 * The items of one page out of `total`, read through `at(position)`. With `unstable`, each call walks its own random
 * permutation (i → (a·i + b) mod total, a coprime to total), so consecutive pages overlap and miss entries like
 * an unsorted Notion listing, at O(page) cost.
 */
export function pageOf<T>(total: number, at: (position: number) => T | undefined, page: PageRequest, unstable: boolean): T[] {
  const first = page.startIndex - 1;
  const last = Math.min(total, first + page.count);
  const permute = unstable && total > 1 ? randomPermutation(total) : (position: number) => position;
  const items: T[] = [];
  for (let position = first; position < last; position++) {
    const item = at(permute(position));
    if (item !== undefined) items.push(item);
  }
  return items;
}

function randomPermutation(total: number): (position: number) => number {
  let step = 1 + Math.floor(Math.random() * (total - 1));
  while (greatestCommonDivisor(step, total) !== 1) step = step === total - 1 ? 1 : step + 1;
  const offset = Math.floor(Math.random() * total);
  return (position) => (step * position + offset) % total;
}

function greatestCommonDivisor(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function readInteger(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw new ScimHttpError(400, `${name} must be an integer`, 'invalidValue');
  return Number(raw);
}
