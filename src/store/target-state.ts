// Per-target state that is not a stream position: mapping fingerprint, last complete import, quarantine, alerts.
import { eq } from 'drizzle-orm';
import type { Queryable } from './database.js';
import { targetState, type TargetStateRow } from './schema.js';

export type TargetStateChange = Partial<Omit<TargetStateRow, 'target' | 'updatedAt'>>;

export async function readTargetState(db: Queryable, target: string): Promise<TargetStateRow | undefined> {
  const rows = await db.select().from(targetState).where(eq(targetState.target, target));
  return rows[0];
}

export async function updateTargetState(db: Queryable, target: string, change: TargetStateChange): Promise<void> {
  const now = new Date();
  await db
    .insert(targetState)
    .values({ target, ...change, updatedAt: now })
    .onConflictDoUpdate({ target: targetState.target, set: { ...change, updatedAt: now } });
}
