// The provisioning log: one row per change with its outcome; filtered reads for `logs`, and retention pruning.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt, type SQL } from 'drizzle-orm';
import { redactText } from '../observe/redact.js';
import type { Queryable } from './database.js';
import { provisioningLog, type NewProvisioningLogRow, type ProvisioningLogRow } from './schema.js';

/** Appends rows; their free text (reason, error message) is redacted here, at the store's edge. */
export async function appendLogEntries(db: Queryable, entries: NewProvisioningLogRow[]): Promise<void> {
  if (entries.length > 0) await db.insert(provisioningLog).values(entries.map(redactEntry));
}

function redactEntry(entry: NewProvisioningLogRow): NewProvisioningLogRow {
  return {
    ...entry,
    ...(typeof entry.reason === 'string' ? { reason: redactText(entry.reason) } : {}),
    ...(typeof entry.errorMessage === 'string' ? { errorMessage: redactText(entry.errorMessage) } : {}),
  };
}

export interface LogQuery {
  target: string;
  cycleId?: string;
  /** Entra object id, Notion id, or display name (userName / group name). */
  object?: string;
  action?: string;
  status?: string;
  limit?: number;
}

export async function queryLog(db: Queryable, query: LogQuery): Promise<ProvisioningLogRow[]> {
  const conditions: SQL[] = [eq(provisioningLog.target, query.target)];
  if (query.cycleId) conditions.push(eq(provisioningLog.cycleId, query.cycleId));
  if (query.action) conditions.push(eq(provisioningLog.action, query.action));
  if (query.status) conditions.push(eq(provisioningLog.status, query.status));
  const rows = await db
    .select()
    .from(provisioningLog)
    .where(and(...conditions))
    .orderBy(desc(provisioningLog.id))
    .limit(query.object ? 100_000 : (query.limit ?? 100));
  if (!query.object) return rows;
  const needle = query.object.toLowerCase();
  return rows
    .filter((r) => r.sourceId === query.object || r.notionId === query.object || r.displayName?.toLowerCase() === needle)
    .slice(0, query.limit ?? 100);
}

/** Deletes log rows older than the retention period; returns how many went. */
export async function pruneLog(db: Queryable, target: string, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(provisioningLog)
    .where(and(eq(provisioningLog.target, target), lt(provisioningLog.at, olderThan)))
    .returning({ id: provisioningLog.id });
  return rows.length;
}

export interface ManualAction {
  target: string;
  /** Who took it: the OS user or --actor on the command line, the signed-in identity in the console. */
  actor: string;
  /** approve, reject, reset-escrow, reset-quarantine, reset-watermarks, retry, provision */
  action: string;
  objectType: 'user' | 'group' | 'target';
  sourceId: string;
  displayName?: string | null;
  notionId?: string | null;
  reason: string;
  status?: 'success' | 'failure';
}

/** An action taken by hand is written to the provisioning log with who took it, outside any cycle. */
export async function recordManualAction(db: Queryable, action: ManualAction, at: Date = new Date()): Promise<void> {
  await appendLogEntries(db, [{
    target: action.target,
    cycleId: null,
    changeId: randomUUID(),
    at,
    actor: action.actor,
    objectType: action.objectType,
    sourceId: action.sourceId,
    notionId: action.notionId ?? null,
    displayName: action.displayName ?? null,
    action: action.action,
    status: action.status ?? 'success',
    reason: action.reason,
  }]);
}
