// Lists cut into pieces: statements that each take a bounded number of values, and a cycle's windows.

/** Values per statement by default: well under Postgres's 65,535 bind parameters, and a bounded piece of work. */
export const STATEMENT_CHUNK = 1000;

/** `items` in consecutive pieces of at most `size`, in order. */
export function chunksOf<T>(items: readonly T[], size = STATEMENT_CHUNK): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}

/**
 * Rows read a page of at most `limit` at a time, in the order of a key: each page starts after the last key of the
 * one before, so that rows the caller writes while it pages (a key already passed) are never read again.
 */
export async function* keysetPages<T>(
  read: (page: { after: string | undefined; limit: number }) => Promise<T[]>,
  keyOf: (row: T) => string,
  limit = STATEMENT_CHUNK,
): AsyncGenerator<T[]> {
  let after: string | undefined;
  for (;;) {
    const page = await read({ after, limit });
    if (page.length > 0) yield page;
    if (page.length < limit) return;
    after = keyOf(page[page.length - 1] as T);
  }
}
