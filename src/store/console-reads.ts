// Reads and one write the console needs beside the shared ones: link counts by kind and state, one cycle, one object's retry.
import { and, eq, gt, isNotNull, or, sql } from 'drizzle-orm';
import type { Queryable } from './database.js';
import type { LinkObjectType } from './links.js';
import { cycles, links, type CycleRow } from './schema.js';

export interface LinkCount {
  objectType: string;
  state: string;
  count: number;
}

export async function countLinksByState(db: Queryable, target: string): Promise<LinkCount[]> {
  return db
    .select({ objectType: links.objectType, state: links.state, count: sql<number>`count(*)`.mapWith(Number) })
    .from(links)
    .where(eq(links.target, target))
    .groupBy(links.objectType, links.state);
}

/** Clears one object's escrow so that the next cycle tries it again (`reset escrows` does it for all); true when it was escrowed. */
export async function clearEscrowOf(db: Queryable, target: string, key: { objectType: LinkObjectType; sourceId: string }): Promise<boolean> {
  const rows = await db
    .update(links)
    .set({ attempts: 0, nextAttemptAt: null, lastErrorKind: null, lastError: null, updatedAt: new Date() })
    .where(and(eq(links.target, target), eq(links.objectType, key.objectType), eq(links.sourceId, key.sourceId), or(gt(links.attempts, 0), isNotNull(links.nextAttemptAt))))
    .returning({ sourceId: links.sourceId });
  return rows.length === 1;
}

export async function readCycle(db: Queryable, target: string, id: string): Promise<CycleRow | undefined> {
  const rows = await db.select().from(cycles).where(and(eq(cycles.target, target), eq(cycles.id, id)));
  return rows[0];
}
