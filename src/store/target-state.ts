// Per-target state that is not a stream position: mapping fingerprint, last complete import, quarantine, alerts.
import { eq } from 'drizzle-orm';
import { redactOptional } from '../observe/redact.js';
import type { Queryable } from './database.js';
import { targetState, type TargetStateRow } from './schema.js';

export type TargetStateChange = Partial<Omit<TargetStateRow, 'target' | 'updatedAt'>>;

export async function readTargetState(db: Queryable, target: string): Promise<TargetStateRow | undefined> {
  const rows = await db.select().from(targetState).where(eq(targetState.target, target));
  return rows[0];
}

export async function updateTargetState(db: Queryable, target: string, input: TargetStateChange): Promise<void> {
  const now = new Date();
  const change = 'quarantineReason' in input ? { ...input, quarantineReason: redactOptional(input.quarantineReason) } : input;
  await db
    .insert(targetState)
    .values({ target, ...change, updatedAt: now })
    .onConflictDoUpdate({ target: targetState.target, set: { ...change, updatedAt: now } });
}
