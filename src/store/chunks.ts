// Lists cut into pieces: statements that each take a bounded number of values, and a cycle's windows.

/** Values per statement by default: well under Postgres's 65,535 bind parameters, and a bounded piece of work. */
export const STATEMENT_CHUNK = 1000;

/** `items` in consecutive pieces of at most `size`, in order. */
export function chunksOf<T>(items: readonly T[], size = STATEMENT_CHUNK): T[][] {
  const result: T[][] = [];
  for (let index = 0; index < items.length; index += size) result.push(items.slice(index, index + size));
  return result;
}
