// Webhook alerts, like Entra's notification email (reference §4.2: one-time, re-sent when the reason changes):
// one message per change of an alert state (quarantine, staged deletes, the last cycle's outcome, staleness), never
// repeated for the same state, even across restarts, replicas or `sync` runs, because the notified state is
// claimed in the store before sending. Used by the worker after each tick and by `sync` after its cycle.
import { postWebhookMessage, redactText, redactWebhookUrl, type Logger } from '../observe/index.js';
import { claimNotifiedState, countOpenWork, readTargetState, type NotifiedState, type Store } from '../store/index.js';

type AlertKey = 'quarantine' | 'stagedDeletes' | 'cycle' | 'staleness';

/** The healthy value of each alert state: a state never notified counts as healthy. */
const healthy: Record<AlertKey, string> = { quarantine: 'none', stagedDeletes: 'none', cycle: 'ok', staleness: 'fresh' };

/** What the alerts judge; a fact left undefined is not judged by this caller and keeps its notified state. */
export interface AlertFacts {
  quarantine?: { reason: string; nextAttemptAt: Date | null } | undefined;
  stagedDeletes: number;
  /** The cycle just run (none when the tick was deferred). */
  lastCycle?: { status: string; error?: string | undefined } | undefined;
  /** Only the worker judges staleness: a `sync` run has no schedule of its own to be late against. */
  stale?: boolean | undefined;
  lastSuccessAt?: Date | undefined;
}

/** The cycle outcomes that change the `cycle` alert state; the others (quarantined, interrupted, locked) leave it. */
const cycleStates: Record<string, string> = { succeeded: 'ok', failed: 'failed', partial: 'partial', held: 'held' };

export function alertStateOf(facts: AlertFacts): Partial<Record<AlertKey, string>> {
  const state: Partial<Record<AlertKey, string>> = {
    quarantine: facts.quarantine?.reason ?? 'none',
    stagedDeletes: facts.stagedDeletes > 0 ? 'held' : 'none',
  };
  const cycle = facts.lastCycle ? cycleStates[facts.lastCycle.status] : undefined;
  if (cycle) state.cycle = cycle;
  if (facts.stale !== undefined) state.staleness = facts.stale ? 'stale' : 'fresh';
  return state;
}

export interface AlertContext {
  store: Store;
  target: string;
  logger: Logger;
  webhookUrl: string;
  staleAfterIntervals: number;
  send?: (url: string, text: string) => Promise<void>;
}

/** The facts `sync` can judge after its cycle: read from the store, as the worker's health is. */
export async function readAlertFacts(store: Store, target: string, lastCycle: AlertFacts['lastCycle']): Promise<AlertFacts> {
  const [state, open] = await Promise.all([readTargetState(store.db, target), countOpenWork(store.db, target)]);
  return {
    quarantine: state?.quarantineReason ? { reason: state.quarantineReason, nextAttemptAt: state.quarantineNextAttemptAt } : undefined,
    stagedDeletes: open.stagedDeletes,
    lastCycle,
  };
}

/** Sends one message per alert state that changed since the last notification; a failed send is retried next time. */
export async function notifyAlertChanges(context: AlertContext, facts: AlertFacts): Promise<void> {
  const current = alertStateOf(facts);
  const send = context.send ?? ((url: string, text: string) => postWebhookMessage(url, text));
  for (const key of Object.keys(current) as AlertKey[]) {
    const value = current[key]!;
    const stored = (await readTargetState(context.store.db, context.target))?.notifiedState ?? null;
    if ((stored?.[key] ?? healthy[key]) === value) continue;
    const next: NotifiedState = { ...stored, [key]: value };
    if (!(await claimNotifiedState(context.store.db, context.target, stored, next))) continue; // another replica sent it
    const webhook = redactWebhookUrl(context.webhookUrl);
    try {
      await send(context.webhookUrl, redactText(alertText(context, key, facts)));
      context.logger.info({ event: 'alert.sent', alert: key, state: value, webhook });
    } catch (error) {
      // Give the claim back so that the next tick (or the next `sync`) tries again.
      await claimNotifiedState(context.store.db, context.target, next, stored);
      context.logger.warn({ event: 'alert.failed', alert: key, state: value, webhook, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function alertText(context: AlertContext, key: AlertKey, facts: AlertFacts): string {
  const who = `entra-notion-sync (target "${context.target}")`;
  switch (key) {
    case 'quarantine':
      return facts.quarantine
        ? `${who}: provisioning is quarantined: ${facts.quarantine.reason}. Cycles are backed off` +
            `${facts.quarantine.nextAttemptAt ? `; next attempt at ${facts.quarantine.nextAttemptAt.toISOString()}` : ''}. ` +
            'Fix the cause, then run `entra-notion-sync reset quarantine` to retry at once (a successful cycle also lifts it).'
        : `${who}: the quarantine is lifted; cycles run on schedule again.`;
    case 'stagedDeletes':
      return facts.stagedDeletes > 0
        ? `${who}: ${facts.stagedDeletes} deprovisioning operation(s) exceed the deletion threshold and are staged. ` +
            'Review them with `entra-notion-sync status` and apply them with `entra-notion-sync approve`.'
        : `${who}: no deprovisioning operations are staged any more.`;
    case 'cycle':
      return cycleText(who, facts.lastCycle);
    case 'staleness':
      return facts.stale
        ? `${who}: no successful cycle for ${context.staleAfterIntervals} schedule intervals ` +
            `(last success: ${facts.lastSuccessAt ? facts.lastSuccessAt.toISOString() : 'none since the worker started'}). Check \`entra-notion-sync status\` and the logs.`
        : `${who}: cycles succeed again (last success: ${facts.lastSuccessAt?.toISOString() ?? 'unknown'}).`;
  }
}

function cycleText(who: string, cycle: AlertFacts['lastCycle']): string {
  // The sentence goes on after the error: a period of its own would make two.
  const why = cycle?.error ? `: ${cycle.error.replace(/\.+$/, '')}` : '';
  switch (cycle?.status) {
    case 'failed':
      return `${who}: the last cycle failed${why}. Nothing more is provisioned or deprovisioned until a cycle succeeds; check \`entra-notion-sync status\` and the logs.`;
    case 'partial':
      return `${who}: the last cycle was partial${why}. Some changes were not made (see \`entra-notion-sync status\`); the next cycles retry them.`;
    case 'held':
      // Members a first cycle could not account for carry their own instructions in the error (approve --unaccounted).
      return cycle.error?.includes('approve --unaccounted')
        ? `${who}: the last cycle is held${why}.`
        : `${who}: deprovisions are held${why}. Review them with \`entra-notion-sync status\` and apply them with \`entra-notion-sync approve\`.`;
    default:
      return `${who}: cycles succeed again.`;
  }
}
