// Webhook alerts, like Entra's notification email (reference §4.2: one-time, re-sent when the reason changes):
// one message per change of an alert state (quarantine, staged deletes, staleness), never repeated for the same
// state, even across restarts or replicas, because the notified state is claimed in the store before sending.
import { redactWebhookUrl, type Logger } from '../observe/index.js';
import { claimNotifiedState, readTargetState, type NotifiedState, type Store } from '../store/index.js';
import type { TargetHealth } from './health.js';

type AlertKey = 'quarantine' | 'stagedDeletes' | 'staleness';

/** The healthy value of each alert state: a state never notified counts as healthy. */
const healthy: Record<AlertKey, string> = { quarantine: 'none', stagedDeletes: 'none', staleness: 'fresh' };

export function alertStateOf(health: TargetHealth): Record<AlertKey, string> {
  return {
    quarantine: health.quarantine?.reason ?? 'none',
    stagedDeletes: health.stagedDeletes > 0 ? 'held' : 'none',
    staleness: health.stale ? 'stale' : 'fresh',
  };
}

export interface AlertContext {
  store: Store;
  target: string;
  logger: Logger;
  webhookUrl: string;
  staleAfterIntervals: number;
  send: (url: string, text: string) => Promise<void>;
}

/** Sends one message per alert state that changed since the last notification; a failed send is retried next tick. */
export async function notifyAlertChanges(context: AlertContext, health: TargetHealth): Promise<void> {
  const current = alertStateOf(health);
  for (const key of Object.keys(current) as AlertKey[]) {
    const stored = (await readTargetState(context.store.db, context.target))?.notifiedState ?? null;
    if ((stored?.[key] ?? healthy[key]) === current[key]) continue;
    const next: NotifiedState = { ...stored, [key]: current[key] };
    if (!(await claimNotifiedState(context.store.db, context.target, stored, next))) continue; // another replica sent it
    const webhook = redactWebhookUrl(context.webhookUrl);
    try {
      await context.send(context.webhookUrl, alertText(context, key, health));
      context.logger.info({ event: 'alert.sent', alert: key, state: current[key], webhook });
    } catch (error) {
      // Give the claim back so that the next tick tries again.
      await claimNotifiedState(context.store.db, context.target, next, stored);
      context.logger.warn({ event: 'alert.failed', alert: key, state: current[key], webhook, error: error instanceof Error ? error.message : String(error) });
    }
  }
}

function alertText(context: AlertContext, key: AlertKey, health: TargetHealth): string {
  const who = `entra-notion-sync (target "${context.target}")`;
  switch (key) {
    case 'quarantine':
      return health.quarantine
        ? `${who}: provisioning is quarantined: ${health.quarantine.reason}. Cycles are backed off` +
            `${health.quarantine.nextAttemptAt ? `; next attempt at ${health.quarantine.nextAttemptAt.toISOString()}` : ''}. Fix the cause; the next successful cycle lifts the quarantine.`
        : `${who}: the quarantine is lifted; cycles run on schedule again.`;
    case 'stagedDeletes':
      return health.stagedDeletes > 0
        ? `${who}: ${health.stagedDeletes} deprovisioning operation(s) exceed the deletion threshold and are staged. ` +
            'Review them with `entra-notion-sync status` and apply them with `entra-notion-sync approve`.'
        : `${who}: no deprovisioning operations are staged any more.`;
    case 'staleness':
      return health.stale
        ? `${who}: no successful cycle for ${context.staleAfterIntervals} schedule intervals ` +
            `(last success: ${health.lastSuccessAt ? health.lastSuccessAt.toISOString() : 'none since the worker started'}). Check \`entra-notion-sync status\` and the logs.`
        : `${who}: cycles succeed again (last success: ${health.lastSuccessAt?.toISOString() ?? 'unknown'}).`;
  }
}
