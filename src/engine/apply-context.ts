// What every operation executor shares: the SCIM client, the store, this cycle's links in memory, and the recorder
// that writes each result with its provisioning-log row in one transaction (ARCHITECTURE.md principle 3).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../observe/index.js';
import { neverReachedTarget, ScimError, type ScimClient } from '../scim/index.js';
import {
  appendLogEntries, escrowLink, readHoldersOf, saveLink, saveLinks,
  type Database, type LinkWrite, type NewProvisioningLogRow, type Transaction,
} from '../store/index.js';
import { escrowDelayMs } from './backoff.js';
import { logActionOf, objectTypeOf, viewOfHolder, type LinkView, type ModifiedProperty, type Operation } from './model.js';
import { notionRefusal } from './refusals.js';

export interface ApplyContext {
  scim: ScimClient;
  db: Database;
  target: string;
  cycleId: string;
  logger: Logger;
  now: () => Date;
  userLinks: Map<string, LinkView>;
  groupLinks: Map<string, LinkView>;
  applied: Map<string, Set<string>>;
  counts: Record<string, number>;
  /** Operations attempted (sent or tried) and failed, for the quarantine rule. */
  tally: { attempted: number; failed: number };
  /** Operations to try again in this cycle once the rest is done: transient failures, and member adds left waiting for them. */
  retry: Operation[];
  /** `${objectType}:${sourceId}` of objects that failed in this cycle: a retry in the same cycle adds no escrow attempt. */
  failedThisCycle: Set<string>;
  /** Groups the planner evaluated this cycle (an escrowed group still waiting is not among them). */
  evaluatedGroups: ReadonlySet<string>;
}

/** Failures that say nothing about the object itself (a 5xx, a reset, a spoiled answer): worth a retry in this cycle. */
const retryableKinds = new Set(['transient', 'outcome-unknown', 'unexpected-response']);

/** An auth failure: the cycle stops at once and the target is quarantined. */
export class StopCycle extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StopCycle';
  }
}

export function linksOf(ctx: ApplyContext, objectType: 'user' | 'group'): Map<string, LinkView> {
  return objectType === 'user' ? ctx.userLinks : ctx.groupLinks;
}

/**
 * The links, other than `exceptSourceId`'s, that hold one of these Notion ids. Asked of the store (its links_notion_id
 * index): every recorded outcome reaches it before this cycle's view, and a cycle holds only the links of what it
 * plans, not every link of the target (issue 14). A link this cycle holds in memory is taken as it is there: a verify
 * run unlinks, in memory only, what Notion no longer has.
 */
export async function holdersOf(
  ctx: ApplyContext, objectType: 'user' | 'group', notionIds: readonly string[], exceptSourceId: string, counts: (link: LinkView) => boolean = () => true,
): Promise<LinkView[]> {
  const links = linksOf(ctx, objectType);
  const wanted = new Set(notionIds);
  return (await readHoldersOf(ctx.db, ctx.target, objectType, notionIds, exceptSourceId))
    .map((row) => links.get(row.sourceId) ?? viewOfHolder(row))
    .filter((link) => link.notionId !== null && wanted.has(link.notionId) && counts(link));
}

export function count(ctx: ApplyContext, key: string, by = 1): void {
  ctx.counts[key] = (ctx.counts[key] ?? 0) + by;
}

export interface Outcome {
  status: 'success' | 'failure' | 'skipped' | 'warning';
  /** Overrides the action of the operation kind (e.g. a create that turned into a link). */
  action?: string;
  notionId?: string | null;
  reason?: string;
  modified?: ModifiedProperty[];
  error?: { kind: string; message: string };
  startedAt?: number;
}

/** Writes the link change (if any) and the log row in one transaction, then updates the in-memory view. */
export async function record(
  ctx: ApplyContext,
  operation: Operation,
  outcome: Outcome,
  change?: { link?: LinkWrite; write?: (tx: Transaction) => Promise<void> },
): Promise<void> {
  const now = ctx.now();
  const entry = logEntryOf(ctx, operation, outcome, change?.link, now);
  await ctx.db.transaction(async (tx) => {
    if (change?.link) await saveLink(tx, ctx.target, change.link, now);
    if (change?.write) await change.write(tx);
    await appendLogEntries(tx, [entry]);
  });
  noteRecorded(ctx, operation, outcome, entry, change?.link);
}

/**
 * `record` for many operations whose only change is their link, in one transaction: two statements for the lot instead
 * of four for each (an adoption that changes nothing in Notion is nothing else).
 */
export async function recordLinks(ctx: ApplyContext, recorded: ReadonlyArray<{ operation: Operation; outcome: Outcome; link: LinkWrite }>): Promise<void> {
  const now = ctx.now();
  const entries = recorded.map(({ operation, outcome, link }) => logEntryOf(ctx, operation, outcome, link, now));
  await ctx.db.transaction(async (tx) => {
    await saveLinks(tx, ctx.target, recorded.map(({ link }) => link), now);
    await appendLogEntries(tx, entries);
  });
  recorded.forEach(({ operation, outcome, link }, i) => noteRecorded(ctx, operation, outcome, entries[i] as NewProvisioningLogRow, link));
}

function logEntryOf(ctx: ApplyContext, operation: Operation, outcome: Outcome, link: LinkWrite | undefined, now: Date): NewProvisioningLogRow {
  const objectType = objectTypeOf(operation);
  return {
    target: ctx.target,
    cycleId: ctx.cycleId,
    changeId: randomUUID(),
    at: now,
    objectType,
    sourceId: operation.sourceId,
    notionId: outcome.notionId ?? link?.notionId ?? linksOf(ctx, objectType).get(operation.sourceId)?.notionId ?? null,
    displayName: operation.name,
    action: outcome.action ?? logActionOf[operation.kind],
    status: outcome.status,
    reason: outcome.reason ?? operation.reason,
    modified: outcome.modified ?? null,
    errorKind: outcome.error?.kind ?? null,
    errorMessage: outcome.error?.message ?? null,
    durationMs: outcome.startedAt === undefined ? null : Date.now() - outcome.startedAt,
  };
}

/** After a recorded outcome is committed: this cycle's view of the link, the counts, and the log line. */
function noteRecorded(ctx: ApplyContext, operation: Operation, outcome: Outcome, entry: NewProvisioningLogRow, link: LinkWrite | undefined): void {
  if (link) linksOf(ctx, link.objectType).set(link.sourceId, viewOf(link));
  const action = entry.action;
  count(ctx, `${action}.${outcome.status}`);
  const event = outcome.status === 'failure' ? 'op.failed' : 'op.applied';
  const fields = { event, action, status: outcome.status, objectType: entry.objectType, sourceId: operation.sourceId, name: operation.name, notionId: entry.notionId, reason: entry.reason };
  if (outcome.status === 'failure') ctx.logger.warn({ ...fields, errorKind: entry.errorKind, error: entry.errorMessage }, event);
  else ctx.logger.info(fields, event);
}

/** Marks a create as pending in its own transaction, before the POST is sent. */
export async function markPending(ctx: ApplyContext, link: LinkWrite): Promise<void> {
  await saveLink(ctx.db, ctx.target, link, ctx.now());
  linksOf(ctx, link.objectType).set(link.sourceId, viewOf(link));
}

export function viewOf(link: LinkWrite): LinkView {
  return {
    sourceId: link.sourceId,
    notionId: link.notionId,
    state: link.state,
    applied: link.applied as LinkView['applied'],
    stagedAction: link.stagedAction ?? null,
    attempts: link.attempts ?? 0,
    retiringSince: link.retiringSince ?? null,
  };
}

/**
 * A per-object failure: escrowed with backoff (and tried again in this cycle when transient). Auth failures stop the
 * cycle (quarantine); so does Notion out of reach once the client's retries ran out: the request was never sent, so
 * it says nothing of the object, and every other operation would wait out the same retries (45 s each, three passes)
 * for a cycle that ends `partial` without naming the outage. It ends `failed`, "Notion unreachable", and the next
 * cycle sends what was left.
 */
export async function escrow(ctx: ApplyContext, operation: Operation, error: unknown, startedAt: number, extra?: { link?: LinkWrite }): Promise<void> {
  if (!(error instanceof ScimError)) throw error;
  const refused = notionRefusal(error);
  if (refused) throw new StopCycle(refused);
  if (neverReachedTarget(error)) throw error;
  const objectType = objectTypeOf(operation);
  const links = linksOf(ctx, objectType);
  const key = `${objectType}:${operation.sourceId}`;
  // Attempts count failed cycles, not requests: the escrow schedule is Entra's per-cycle one (backoff.ts).
  const attempts = (links.get(operation.sourceId)?.attempts ?? 0) + (ctx.failedThisCycle.has(key) ? 0 : 1);
  ctx.failedThisCycle.add(key);
  if (retryableKinds.has(error.kind)) ctx.retry.push(operation);
  const nextAttemptAt = new Date(ctx.now().getTime() + escrowDelayMs(attempts));
  ctx.tally.failed += 1;
  await record(ctx, operation, { status: 'failure', error: { kind: error.kind, message: error.message }, startedAt }, {
    ...(extra?.link ? { link: { ...extra.link, attempts, nextAttemptAt, lastErrorKind: error.kind, lastError: error.message } } : {}),
    write: async (tx) => {
      if (!extra?.link) await escrowLink(tx, ctx.target, { objectType, sourceId: operation.sourceId }, { attempts, nextAttemptAt, kind: error.kind, message: error.message }, ctx.now());
    },
  });
  const current = links.get(operation.sourceId);
  links.set(operation.sourceId, current ? { ...current, attempts } : { sourceId: operation.sourceId, notionId: null, state: 'unlinked', applied: {}, stagedAction: null, attempts });
}
