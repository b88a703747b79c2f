// Graph change-notification subscriptions in the store: one row per target and resource, and the generated
// clientState every replica shares (src/notify keeps them; docs/reference/graph-notifications.md).
import { and, eq } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { graphSubscriptions, notificationSecrets, type GraphSubscriptionRow } from './schema.js';

export async function readGraphSubscriptions(db: Queryable, target: string): Promise<GraphSubscriptionRow[]> {
  return db.select().from(graphSubscriptions).where(eq(graphSubscriptions.target, target));
}

export async function saveGraphSubscription(db: Queryable, row: Omit<GraphSubscriptionRow, 'updatedAt'>): Promise<void> {
  const { target: _target, resource: _resource, ...rest } = row;
  await db
    .insert(graphSubscriptions)
    .values({ ...row, updatedAt: new Date() })
    .onConflictDoUpdate({ target: [graphSubscriptions.target, graphSubscriptions.resource], set: { ...rest, updatedAt: new Date() } });
}

/** Forgets the row of `resource`, only while it still names `subscriptionId` (another replica may have replaced it). */
export async function forgetGraphSubscription(db: Queryable, target: string, resource: string, subscriptionId: string): Promise<void> {
  await db
    .delete(graphSubscriptions)
    .where(and(eq(graphSubscriptions.target, target), eq(graphSubscriptions.resource, resource), eq(graphSubscriptions.subscriptionId, subscriptionId)));
}

/** The target's generated clientState: the first replica's proposal wins, every later one reads it. */
export async function claimNotificationSecret(db: Queryable, target: string, proposal: string): Promise<string> {
  await db.insert(notificationSecrets).values({ target, clientState: proposal }).onConflictDoNothing();
  const [row] = await db.select().from(notificationSecrets).where(eq(notificationSecrets.target, target));
  if (!row) throw new Error(`notification secret of ${target} vanished while it was claimed`);
  return row.clientState;
}
