// The rows of a raw `sql` statement, on both drivers (node-postgres and PGlite answer `{ rows }`).
import type { SQL } from 'drizzle-orm';
import type { Queryable } from './database.js';

export async function rowsOf<T>(db: Queryable, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
