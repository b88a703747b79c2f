// Ids as one text[] parameter (issue 14): a list of parameters hits Postgres's 65,535 limit on a large cycle and costs
// a parse per id; one array is one parameter whatever its size.
import { sql, type SQL } from 'drizzle-orm';

/**
 * Strings, or nulls, as one text[] parameter. A bulk write passes one per column to `unnest`: one parameter per column
 * instead of one per value, which drizzle's insert builder checks one by one (1.3 s of an initial import at 10,000 users).
 */
export const textArray = (values: ReadonlyArray<string | null>): SQL =>
  sql`${`{${values.map((value) => (value === null ? 'NULL' : `"${value.replace(/["\\]/g, '\\$&')}"`)).join(',')}}`}::text[]`;

/**
 * The columns of a bulk write's rows, for `unnest(column, column, …)`: `columnsOf(rows)(row => value)` is one text[]
 * parameter holding that value of every row (undefined is NULL).
 */
export const columnsOf = <T>(rows: readonly T[]) => (value: (row: T) => string | null | undefined): SQL =>
  textArray(rows.map((row) => value(row) ?? null));

/**
 * Tested with `= any(...)`, which Postgres hashes for a constant array; a join against a set-returning function instead
 * is estimated at 100 rows whatever its size and planned as a nested loop (minutes at 100,000 ids). One id is an
 * equality: on a table not analyzed yet (links during a first sync) Postgres used `= any` as a filter over every
 * row of the index's other columns, not as an index condition (0.9 ms per create at 4,000 links, growing with them).
 */
export const inIds = (column: SQL, ids: readonly string[]): SQL =>
  ids.length === 1 ? sql`${column} = ${ids[0]}::text` : sql`${column} = any(${textArray(ids)})`;
