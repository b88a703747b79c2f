// Per target: the rate the adaptive limiter learnt (NOTION_RATE_LIMIT_RPS=auto), read at the start of a cycle's
// SCIM client and written when it closes.
import { eq } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { rateLimitState } from './schema.js';

export interface StoredRateLimit {
  requestsPerSecond: number;
  throttledAtRps: number | null;
}

export async function readLearntRateLimit(db: Queryable, target: string): Promise<StoredRateLimit | undefined> {
  const rows = await db.select().from(rateLimitState).where(eq(rateLimitState.target, target));
  const row = rows[0];
  return row ? { requestsPerSecond: row.requestsPerSecond, throttledAtRps: row.throttledAtRps } : undefined;
}

export async function saveLearntRateLimit(db: Queryable, target: string, learnt: StoredRateLimit): Promise<void> {
  const values = { requestsPerSecond: learnt.requestsPerSecond, throttledAtRps: learnt.throttledAtRps, updatedAt: new Date() };
  await db.insert(rateLimitState).values({ target, ...values }).onConflictDoUpdate({ target: rateLimitState.target, set: values });
}

/** The learnt rate of one target, in the shape the SCIM client's limiter asks for (load at start, save at close). */
export function learntRateLimitOf(db: Queryable, target: string): { load(): Promise<StoredRateLimit | undefined>; save(learnt: StoredRateLimit): Promise<void> } {
  return { load: () => readLearntRateLimit(db, target), save: (learnt) => saveLearntRateLimit(db, target, learnt) };
}
