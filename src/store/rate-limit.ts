// Per target: the limits the SCIM client learnt about Notion, read at the start of a cycle's SCIM client and written
// when it closes. The rate (NOTION_RATE_LIMIT_RPS=auto) and the member batch size share the row and are saved apart:
// each save writes only its own columns, so a cycle without `auto` keeps the batch size and leaves the rate alone.
import { eq } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { rateLimitState } from './schema.js';

export interface StoredRateLimit {
  requestsPerSecond: number;
  throttledAtRps: number | null;
}

/** The member batch size as stored, unchecked: the SCIM client validates it and ignores what is out of range. */
export interface StoredMemberBatch {
  refusedSize: number | null;
  refusedAt: Date | null;
  acceptedSize: number | null;
}

export async function readLearntRateLimit(db: Queryable, target: string): Promise<StoredRateLimit | undefined> {
  const rows = await db.select().from(rateLimitState).where(eq(rateLimitState.target, target));
  const row = rows[0];
  // A row written only for the member batch size has no rate.
  return row && row.requestsPerSecond !== null ? { requestsPerSecond: row.requestsPerSecond, throttledAtRps: row.throttledAtRps } : undefined;
}

export async function saveLearntRateLimit(db: Queryable, target: string, learnt: StoredRateLimit): Promise<void> {
  const values = { requestsPerSecond: learnt.requestsPerSecond, throttledAtRps: learnt.throttledAtRps, updatedAt: new Date() };
  await db.insert(rateLimitState).values({ target, ...values }).onConflictDoUpdate({ target: rateLimitState.target, set: values });
}

export async function readLearntMemberBatch(db: Queryable, target: string): Promise<StoredMemberBatch | undefined> {
  const rows = await db.select().from(rateLimitState).where(eq(rateLimitState.target, target));
  const row = rows[0];
  return row ? { refusedSize: row.memberBatchRefusedSize, refusedAt: row.memberBatchRefusedAt, acceptedSize: row.memberBatchAcceptedSize } : undefined;
}

export async function saveLearntMemberBatch(db: Queryable, target: string, learnt: StoredMemberBatch): Promise<void> {
  const values = { memberBatchRefusedSize: learnt.refusedSize, memberBatchRefusedAt: learnt.refusedAt, memberBatchAcceptedSize: learnt.acceptedSize, updatedAt: new Date() };
  await db.insert(rateLimitState).values({ target, ...values }).onConflictDoUpdate({ target: rateLimitState.target, set: values });
}

/** The rate Notion requests go at, as `status` and the console show it: the setting and, with `auto`, what was learnt. */
export interface NotionRateReport {
  setting: number | 'auto';
  /** With `auto`: the rate learnt and the lowest rate throttled; null until a cycle has learnt one (or without `auto`). */
  learnt: StoredRateLimit | null;
}

export async function readNotionRate(db: Queryable, target: string, setting: number | 'auto'): Promise<NotionRateReport> {
  return { setting, learnt: setting === 'auto' ? ((await readLearntRateLimit(db, target)) ?? null) : null };
}

/** The learnt rate of one target, in the shape the SCIM client's limiter asks for (load at start, save at close). */
export function learntRateLimitOf(db: Queryable, target: string): { load(): Promise<StoredRateLimit | undefined>; save(learnt: StoredRateLimit): Promise<void> } {
  return { load: () => readLearntRateLimit(db, target), save: (learnt) => saveLearntRateLimit(db, target, learnt) };
}

/** The learnt member batch size of one target, in the shape the SCIM client asks for (load at start, save at close). */
export function learntMemberBatchOf(db: Queryable, target: string): { load(): Promise<StoredMemberBatch | undefined>; save(learnt: StoredMemberBatch): Promise<void> } {
  return { load: () => readLearntMemberBatch(db, target), save: (learnt) => saveLearntMemberBatch(db, target, learnt) };
}
