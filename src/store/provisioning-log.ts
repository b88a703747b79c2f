// The provisioning log: one row per change with its outcome; filtered reads for `logs`, and retention pruning.
import { randomUUID } from 'node:crypto';
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import { redactText } from '../observe/redact.js';
import type { Queryable } from './database.js';
import { columnsOf } from './id-array.js';
import { provisioningLog, type NewProvisioningLogRow, type ProvisioningLogRow } from './schema.js';

/**
 * Appends rows, one text[] parameter per column (`unnest`) whatever their number; their free text (reason, error
 * message) is redacted here, at the store's edge.
 */
export async function appendLogEntries(db: Queryable, entries: NewProvisioningLogRow[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map(redactEntry);
  const column = columnsOf(rows);
  await db.execute(sql`
    insert into ${provisioningLog} (target, cycle_id, change_id, at, actor, object_type, source_id, notion_id, display_name, action,
      status, reason, modified, error_kind, error_message, duration_ms)
    select e.target, e.cycle_id, e.change_id, coalesce(e.at::timestamptz, now()), e.actor, e.object_type, e.source_id, e.notion_id,
      e.display_name, e.action, e.status, e.reason, e.modified::jsonb, e.error_kind, e.error_message, e.duration_ms::integer
    from unnest(${column((r) => r.target)}, ${column((r) => r.cycleId)}, ${column((r) => r.changeId)}, ${column((r) => r.at?.toISOString())},
      ${column((r) => r.actor)}, ${column((r) => r.objectType)}, ${column((r) => r.sourceId)}, ${column((r) => r.notionId)},
      ${column((r) => r.displayName)}, ${column((r) => r.action)}, ${column((r) => r.status)}, ${column((r) => r.reason)},
      ${column((r) => (r.modified == null ? null : JSON.stringify(r.modified)))}, ${column((r) => r.errorKind)}, ${column((r) => r.errorMessage)},
      ${column((r) => (r.durationMs == null ? null : String(r.durationMs)))})
      as e(target, cycle_id, change_id, at, actor, object_type, source_id, notion_id, display_name, action, status, reason, modified,
        error_kind, error_message, duration_ms)`);
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
  await recordManualActions(db, [action], at);
}

/** Many actions taken by hand at once (`approve` of everything staged): one statement for them all. */
export async function recordManualActions(db: Queryable, actions: readonly ManualAction[], at: Date = new Date()): Promise<void> {
  await appendLogEntries(db, actions.map((action) => ({
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
  })));
}
