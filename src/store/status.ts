// Reads for `status`, readiness and alerts: staged deletes, escrowed objects, and the notified alert state.
import { and, asc, eq, gt, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { linkPageOf, type LinkPage } from './links.js';
import { links, targetState, type LinkRow } from './schema.js';

export interface OpenWork {
  /** Links holding a deprovision staged by the deletion guard. */
  stagedDeletes: number;
  /** Links whose last operation failed and that wait for a retry. */
  escrowed: number;
  /** Notion members an initial cycle could not account for, waiting for `approve --unaccounted` (or --reject). */
  unaccounted: number;
}

export async function countOpenWork(db: Queryable, target: string): Promise<OpenWork> {
  const [row] = await db
    .select({
      stagedDeletes: sql<number>`count(*) filter (where ${links.stagedAction} is not null)`.mapWith(Number),
      escrowed: sql<number>`count(*) filter (where ${links.attempts} > 0)`.mapWith(Number),
      unaccounted: sql<number>`count(*) filter (where ${links.state} = 'unaccounted')`.mapWith(Number),
    })
    .from(links)
    .where(and(eq(links.target, target), sql`(${links.stagedAction} is not null or ${links.attempts} > 0 or ${links.state} = 'unaccounted')`));
  return { stagedDeletes: row?.stagedDeletes ?? 0, escrowed: row?.escrowed ?? 0, unaccounted: row?.unaccounted ?? 0 };
}

export interface StagedDelete {
  objectType: string;
  sourceId: string;
  notionId: string | null;
  /** userName or displayName last applied to Notion. */
  name: string | undefined;
  action: string;
  stagedAt: Date | null;
}

export async function listStagedDeletes(db: Queryable, target: string, limit = 50): Promise<StagedDelete[]> {
  const rows = await db
    .select()
    .from(links)
    .where(and(eq(links.target, target), isNotNull(links.stagedAction)))
    .orderBy(asc(links.stagedAt))
    .limit(limit);
  return rows.map(stagedDeleteOf);
}

/** A page of one type's staged deletes, by source id: what a decision over all of them (or many) reads at a time. */
export async function readStagedPage(db: Queryable, target: string, page: LinkPage): Promise<StagedDelete[]> {
  const { where, orderBy } = linkPageOf(page);
  const rows = await db.select().from(links).where(and(eq(links.target, target), isNotNull(links.stagedAction), where)).orderBy(orderBy).limit(page.limit);
  return rows.map(stagedDeleteOf);
}

const stagedDeleteOf = (r: LinkRow): StagedDelete => ({
  objectType: r.objectType, sourceId: r.sourceId, notionId: r.notionId, name: appliedName(r.applied), action: r.stagedAction ?? '', stagedAt: r.stagedAt,
});

export interface EscrowedObject {
  objectType: string;
  sourceId: string;
  name: string | undefined;
  attempts: number;
  nextAttemptAt: Date | null;
  errorKind: string | null;
  error: string | null;
}

export async function listEscrowedObjects(db: Queryable, target: string, limit = 50): Promise<EscrowedObject[]> {
  const rows = await db
    .select()
    .from(links)
    .where(and(eq(links.target, target), gt(links.attempts, 0)))
    .orderBy(asc(links.nextAttemptAt))
    .limit(limit);
  return rows.map(escrowedObjectOf);
}

/** A page of one type's escrowed objects, by source id: what `reset escrows` reads at a time. */
export async function readEscrowedPage(db: Queryable, target: string, page: LinkPage): Promise<EscrowedObject[]> {
  const { where, orderBy } = linkPageOf(page);
  const rows = await db.select().from(links).where(and(eq(links.target, target), gt(links.attempts, 0), where)).orderBy(orderBy).limit(page.limit);
  return rows.map(escrowedObjectOf);
}

const escrowedObjectOf = (r: LinkRow): EscrowedObject => ({
  objectType: r.objectType,
  sourceId: r.sourceId,
  name: appliedName(r.applied),
  attempts: r.attempts,
  nextAttemptAt: r.nextAttemptAt,
  errorKind: r.lastErrorKind,
  error: r.lastError,
});

function appliedName(applied: Record<string, unknown>): string | undefined {
  const name = applied.userName ?? applied.displayName;
  return typeof name === 'string' ? name : undefined;
}

export type NotifiedState = Record<string, string>;

/**
 * Compare-and-set of the alert state last notified: succeeds only when the stored state still equals `expected`,
 * so that of several replicas seeing the same change, exactly one claims it and sends the notification.
 */
export async function claimNotifiedState(db: Queryable, target: string, expected: NotifiedState | null, next: NotifiedState | null): Promise<boolean> {
  await db.insert(targetState).values({ target }).onConflictDoNothing();
  const rows = await db
    .update(targetState)
    .set({ notifiedState: next, updatedAt: new Date() })
    .where(and(eq(targetState.target, target), sql`${targetState.notifiedState} is not distinct from ${expected === null ? null : JSON.stringify(expected)}::jsonb`))
    .returning({ target: targetState.target });
  return rows.length === 1;
}
