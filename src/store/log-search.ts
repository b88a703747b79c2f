// The console's provisioning-log search: filters by object, action, status, cycle and time, newest first, paged by
// keyset (`id < cursor`) so that page 1,000 costs what page 1 costs (an OFFSET would read every row before it).
import { and, desc, eq, gte, like, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { provisioningLog, type ProvisioningLogRow } from './schema.js';

export interface LogSearch {
  target: string;
  /** An Entra object id or a Notion id (exact), or the start of a userName (UPN) or group name (any case). */
  object?: string;
  action?: string;
  status?: string;
  cycleId?: string;
  from?: Date;
  to?: Date;
  /** Keyset cursor: only rows older than this id (the `nextCursor` of the previous page). */
  before?: number;
  limit?: number;
}

export interface LogPage {
  rows: ProvisioningLogRow[];
  /** Pass as `before` for the next page; undefined on the last page. */
  nextCursor: number | undefined;
}

export const maxLogPageSize = 1000;

export async function searchLog(db: Queryable, search: LogSearch): Promise<LogPage> {
  const limit = Math.min(Math.max(search.limit ?? 50, 1), maxLogPageSize);
  const rows = await db
    .select()
    .from(provisioningLog)
    .where(and(...logConditions(search)))
    .orderBy(desc(provisioningLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { rows: page, nextCursor: rows.length > limit ? page[page.length - 1]?.id : undefined };
}

/** Every row the search matches, newest first, read page by page (for exports); stops after `max` rows. */
export async function* searchLogAll(db: Queryable, search: Omit<LogSearch, 'before' | 'limit'>, max = 100_000): AsyncGenerator<ProvisioningLogRow> {
  let before: number | undefined;
  let seen = 0;
  do {
    const page = await searchLog(db, { ...search, before, limit: maxLogPageSize });
    for (const row of page.rows) {
      if (seen++ >= max) return;
      yield row;
    }
    before = page.nextCursor;
  } while (before !== undefined);
}

function logConditions(search: LogSearch): SQL[] {
  const conditions: SQL[] = [eq(provisioningLog.target, search.target)];
  const object = search.object?.trim();
  if (object) {
    const prefix = `${object.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      or(eq(provisioningLog.sourceId, object), eq(provisioningLog.notionId, object), like(sql`lower(${provisioningLog.displayName})`, prefix)) as SQL,
    );
  }
  if (search.action) conditions.push(eq(provisioningLog.action, search.action));
  if (search.status) conditions.push(eq(provisioningLog.status, search.status));
  if (search.cycleId) conditions.push(eq(provisioningLog.cycleId, search.cycleId));
  if (search.from) conditions.push(gte(provisioningLog.at, search.from));
  if (search.to) conditions.push(lte(provisioningLog.at, search.to));
  if (search.before !== undefined) conditions.push(lt(provisioningLog.id, search.before));
  return conditions;
}
